import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { jsonArrayArg, jsonObjectArg, MAX_JSON_DEPTH } from '../../shared/parsers';

const anyList = jsonArrayArg(v.array(v.unknown()));
const anyObject = jsonObjectArg(v.record(v.string(), v.unknown()));

/** An array nested `levels` deep: 1 is `[]`, 2 is `[[]]`. */
const nestedArray = (levels: number): unknown[] => {
  let value: unknown[] = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
};

/** An object nested `levels` deep: 1 is `{}`, 2 is `{"a":{}}`. */
const nestedObject = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
};

describe('jsonArrayArg', () => {
  it('accepts a JSON array as it is', () => {
    expect(v.parse(anyList, ['a', 1, { b: true }])).toEqual(['a', 1, { b: true }]);
  });

  it('accepts a string holding a JSON array', () => {
    expect(v.parse(anyList, '["a", 1, {"b": true}]')).toEqual(['a', 1, { b: true }]);
    expect(v.parse(anyList, '[]')).toEqual([]);
  });

  it.each([
    ['{"a": 1}', 'a string holding an object'],
    ['"[1]"', 'a string holding a string'],
    ['42', 'a string holding a number'],
    ['null', 'a string holding null'],
    ['[1,', 'truncated JSON'],
    ["['a']", 'Python list syntax'],
    ['', 'the empty string'],
  ])('rejects %j (%s)', (text) => {
    const result = v.safeParse(anyList, text);
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toContain('expected a JSON array');
  });

  it.each([[{ a: 1 }], [42], [true], [null]])('rejects the non-array value %j', (value) => {
    expect(v.safeParse(anyList, value).success).toBe(false);
  });

  it('checks the parsed list against the argument schema', () => {
    const strings = jsonArrayArg(v.pipe(v.array(v.string()), v.maxLength(2)));
    expect(v.parse(strings, '["a","b"]')).toEqual(['a', 'b']);
    expect(v.safeParse(strings, '["a","b","c"]').success).toBe(false);
    expect(v.safeParse(strings, '[1]').success).toBe(false);
  });

  it(`accepts a list nested exactly ${MAX_JSON_DEPTH} levels deep`, () => {
    const value = nestedArray(MAX_JSON_DEPTH);
    expect(v.safeParse(anyList, value).success).toBe(true);
    expect(v.safeParse(anyList, JSON.stringify(value)).success).toBe(true);
  });

  it(`rejects a list nested ${MAX_JSON_DEPTH + 1} levels deep, natively or as text`, () => {
    const value = nestedArray(MAX_JSON_DEPTH + 1);
    for (const given of [value, JSON.stringify(value)]) {
      const result = v.safeParse(anyList, given);
      expect(result.success).toBe(false);
      expect(result.issues?.[0]?.message).toBe(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
  });

  it('rejects a list nested 100,000 levels deep without overflowing the stack', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(v.safeParse(anyList, text).success).toBe(false);
  });
});

describe('jsonObjectArg', () => {
  it('accepts a JSON object or a string holding one', () => {
    expect(v.parse(anyObject, { a: 1 })).toEqual({ a: 1 });
    expect(v.parse(anyObject, '{"a": [1, 2]}')).toEqual({ a: [1, 2] });
  });

  it.each([
    ['[1]', 'a string holding an array'],
    ['null', 'a string holding null'],
    ['"{}"', 'a string holding a string'],
    ["{'a': 1}", 'Python dict syntax'],
  ])('rejects %j (%s)', (text) => {
    const result = v.safeParse(anyObject, text);
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toContain('expected a JSON object');
  });

  it.each([[[1]], [null], ['plain text'], [3]])('rejects the non-object value %j', (value) => {
    expect(v.safeParse(anyObject, value).success).toBe(false);
  });

  it(`accepts an object nested ${MAX_JSON_DEPTH} levels deep and rejects one level more`, () => {
    expect(v.safeParse(anyObject, nestedObject(MAX_JSON_DEPTH)).success).toBe(true);
    expect(v.safeParse(anyObject, JSON.stringify(nestedObject(MAX_JSON_DEPTH + 1))).success).toBe(
      false,
    );
  });

  it('rejects a "__proto__" key of an object argument by name instead of dropping it', () => {
    const text = '{"__proto__": {"polluted": true}, "a": 1}';
    for (const given of [text, JSON.parse(text)]) {
      const result = v.safeParse(anyObject, given);
      expect(result.success).toBe(false);
      expect(result.issues?.[0]?.message).toContain('"__proto__" key');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a "__proto__" key inside list items as plain data', () => {
    const [first] = v.parse(anyList, '[{"__proto__": {"x": 1}}]') as Array<Record<string, unknown>>;
    expect(Object.hasOwn(first ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
  });
});
