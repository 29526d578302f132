import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputTooLargeError } from '../../shared/errors';
import { fromJsonOutput, toJsonOutput } from '../../shared/json-output';
import { MAX_OUTPUT_VALUE_LENGTH } from '../../shared/limits';

/** JSON cannot hold -0 (it encodes as 0), so round-trip properties leave it out. */
const hasNegativeZero = (value: unknown): boolean =>
  Object.is(value, -0) ||
  (value !== null && typeof value === 'object' && Object.values(value).some(hasNegativeZero));

/** A string output of exactly `length` characters as JSON: `"xxx…"`. */
const quotedOfLength = (length: number, char = 'x'): string => char.repeat(length - 2);

describe('toJsonOutput and fromJsonOutput', () => {
  it('round-trip any JSON value whose encoding fits in an output', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }).filter((value) => !hasNegativeZero(value)),
        (value) => {
          const text = toJsonOutput('out', value);
          expect(text.length).toBeLessThanOrEqual(MAX_OUTPUT_VALUE_LENGTH);
          expect(fromJsonOutput(text)).toEqual(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes a tuple as a JSON array that json.loads reads back as a list', () => {
    const text = toJsonOutput('summary', ['model-a', 0.93, true, null]);
    expect(text).toBe('["model-a",0.93,true,null]');
    expect(fromJsonOutput<[string, number, boolean, null]>(text)).toEqual([
      'model-a',
      0.93,
      true,
      null,
    ]);
  });

  it('keeps code-like text as inert, escaped data', () => {
    const value = { name: "__import__('os').system('rm -rf /')", note: 'a"b\nc' };
    const text = toJsonOutput('out', value);
    expect(text).toBe('{"name":"__import__(\'os\').system(\'rm -rf /\')","note":"a\\"b\\nc"}');
    expect(fromJsonOutput(text)).toEqual(value);
  });

  it(`accepts an encoding of exactly ${MAX_OUTPUT_VALUE_LENGTH} characters`, () => {
    const value = quotedOfLength(MAX_OUTPUT_VALUE_LENGTH);
    expect(toJsonOutput('out', value)).toHaveLength(MAX_OUTPUT_VALUE_LENGTH);
  });

  it(`throws OutputTooLargeError saying by how much an encoding of ${MAX_OUTPUT_VALUE_LENGTH + 1} characters is over`, () => {
    const value = quotedOfLength(MAX_OUTPUT_VALUE_LENGTH + 1);
    const error = (() => {
      try {
        toJsonOutput('batches', value);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OutputTooLargeError);
    expect(error).toMatchObject({ output: 'batches', length: 1025, limit: 1024 });
    expect((error as Error).message).toBe(
      'Output batches is 1025 characters as JSON, 1 over the 1024-character limit of a LambdaStep output value; store the data in S3 and return its URI instead',
    );
  });

  it('states the excess of a much larger value', () => {
    const value = Array.from({ length: 1000 }, (_, i) => i);
    const length = JSON.stringify(value).length;
    expect(() => toJsonOutput('ids', value)).toThrow(
      `Output ids is ${length} characters as JSON, ${length - 1024} over`,
    );
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(() => toJsonOutput('out', quotedOfLength(1024, '😀'))).not.toThrow();
    expect(() => toJsonOutput('out', quotedOfLength(1025, '😀'))).toThrow(OutputTooLargeError);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ])('throws TypeError for %s, which has no JSON form', (_, value) => {
    expect(() => toJsonOutput('out', value)).toThrow('Output out has no JSON form');
  });

  it('throws TypeError for a cycle and for a bigint', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toJsonOutput('out', cycle)).toThrow(TypeError);
    expect(() => toJsonOutput('out', { n: 1n })).toThrow(TypeError);
  });
});
