import { describe, expect, it } from 'vitest';
import {
  describeValue,
  escapeControlCharacters,
  formatPath,
  truncate,
} from '../../shared/describe-value';

describe('truncate', () => {
  it('keeps a text of 60 characters whole', () => {
    expect(truncate('x'.repeat(60))).toBe('x'.repeat(60));
  });

  it('cuts a text of 61 characters to 60, ending in an ellipsis', () => {
    const cut = truncate('x'.repeat(61));
    expect(cut).toHaveLength(60);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    expect(truncate('😀'.repeat(60))).toBe('😀'.repeat(60));
    expect(truncate(`a${'😀'.repeat(60)}`)).toBe(`a${'😀'.repeat(58)}…`);
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    ['ab', 'string "ab"'],
    [1.5, 'number 1.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [false, 'boolean false'],
    [12n, 'bigint 12'],
    [[1, 2, 3], 'an array of 3'],
    [{ a: 1 }, 'an object'],
  ])('describes %s as %j', (value, described) => {
    expect(describeValue(value)).toBe(described);
  });

  it('quotes a long string cut to about 60 characters', () => {
    expect(describeValue('y'.repeat(500))).toBe(`string "${'y'.repeat(59)}…"`);
  });

  it('never shows the contents of an array or object', () => {
    expect(describeValue({ secret: 'x'.repeat(100) })).toBe('an object');
    expect(describeValue(['x'.repeat(100)])).toBe('an array of 1');
  });
});

describe('formatPath', () => {
  it('formats keys and indexes like a JavaScript accessor', () => {
    expect(formatPath(['items', 3, 'name'])).toBe('items[3].name');
    expect(formatPath([0])).toBe('[0]');
  });

  it('names the event itself when the path is empty', () => {
    expect(formatPath([])).toBe('(event)');
  });
});

describe('escapeControlCharacters', () => {
  it('escapes line breaks, control characters and Unicode line separators', () => {
    expect(escapeControlCharacters('a\nb\r\tc\u2028d\u2029e\u0000f\u0085')).toBe(
      'a\\u000ab\\u000d\\u0009c\\u2028d\\u2029e\\u0000f\\u0085',
    );
  });

  it('leaves printable text, including emoji and non-Latin letters, unchanged', () => {
    expect(escapeControlCharacters('Grüße 😀 データ')).toBe('Grüße 😀 データ');
  });
});
