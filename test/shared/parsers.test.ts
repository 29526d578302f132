import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  booleanArg,
  floatArg,
  integerArg,
  parseBooleanText,
  parseFloatText,
  parseIntegerText,
} from '../../shared/parsers';

describe('parseIntegerText', () => {
  it.each([
    ['42', 42],
    ['0', 0],
    ['-7', -7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', Number.MIN_SAFE_INTEGER],
  ])('parses %j to %d', (text, value) => {
    expect(parseIntegerText(text)).toBe(value);
  });

  it.each([
    ['1.0', 'a decimal point'],
    ['1e3', 'an exponent'],
    [' 42', 'leading whitespace'],
    ['42 ', 'trailing whitespace'],
    ['42\n', 'a trailing newline'],
    ['+42', 'a plus sign'],
    ['042', 'a leading zero'],
    ['0x10', 'hex notation'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['', 'the empty string'],
    ['-', 'a lone minus'],
    ['1_000', 'a numeric separator'],
    ['9007199254740992', 'the first unsafe integer'],
    ['-9007199254740992', 'the first unsafe negative integer'],
  ])('rejects %j (%s)', (text) => {
    expect(parseIntegerText(text)).toBeUndefined();
  });
});

describe('parseFloatText', () => {
  it.each([
    ['0.5', 0.5],
    ['-3', -3],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['0', 0],
    ['1.7976931348623157e308', Number.MAX_VALUE],
  ])('parses %j to %d', (text, value) => {
    expect(parseFloatText(text)).toBe(value);
  });

  it.each([
    ['.5', 'a missing integer part'],
    ['5.', 'a missing fraction'],
    [' 0.5', 'leading whitespace'],
    ['0.5 ', 'trailing whitespace'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['NaN', 'NaN'],
    ['1e309', 'a value that overflows to Infinity'],
    ['0x10', 'hex notation'],
    ['', 'the empty string'],
    ['+1.5', 'a plus sign'],
    ['1,5', 'a decimal comma'],
  ])('rejects %j (%s)', (text) => {
    expect(parseFloatText(text)).toBeUndefined();
  });
});

describe('parseBooleanText', () => {
  it('parses exactly "true" and "false"', () => {
    expect(parseBooleanText('true')).toBe(true);
    expect(parseBooleanText('false')).toBe(false);
  });

  it.each(['True', 'FALSE', 'yes', '1', '0', ' true', 'true ', ''])('rejects %j', (text) => {
    expect(parseBooleanText(text)).toBeUndefined();
  });
});

describe('integerArg', () => {
  it('accepts a safe integer given as a number or as text', () => {
    expect(v.parse(integerArg, 42)).toBe(42);
    expect(v.parse(integerArg, '42')).toBe(42);
    expect(v.parse(integerArg, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    1.5,
    Number.MAX_SAFE_INTEGER + 1,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    '1.0',
    '0x10',
    'Infinity',
    '',
    ' 1',
    true,
    null,
    [1],
  ])('rejects %j', (value) => {
    expect(v.safeParse(integerArg, value).success).toBe(false);
  });

  it('says which text it would have accepted when given a malformed integer string', () => {
    const result = v.safeParse(integerArg, '1.0');
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toContain('expected an integer');
  });
});

describe('floatArg', () => {
  it('accepts a finite number given as a number or as text', () => {
    expect(v.parse(floatArg, 0.5)).toBe(0.5);
    expect(v.parse(floatArg, '0.5')).toBe(0.5);
    expect(v.parse(floatArg, '-3')).toBe(-3);
    expect(v.parse(floatArg, 7)).toBe(7);
  });

  it.each([
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    'Infinity',
    'NaN',
    '0x10',
    '',
    ' 0.5',
    false,
    null,
  ])('rejects %j', (value) => {
    expect(v.safeParse(floatArg, value).success).toBe(false);
  });
});

describe('booleanArg', () => {
  it('accepts true and false as booleans or as the exact strings', () => {
    expect(v.parse(booleanArg, true)).toBe(true);
    expect(v.parse(booleanArg, false)).toBe(false);
    expect(v.parse(booleanArg, 'true')).toBe(true);
    expect(v.parse(booleanArg, 'false')).toBe(false);
  });

  it.each(['True', 'False', 'yes', '1', 1, 0, '', null])('rejects %j', (value) => {
    expect(v.safeParse(booleanArg, value).success).toBe(false);
  });
});
