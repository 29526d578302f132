import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../shared/errors';
import { integerArg, jsonArrayArg } from '../../shared/parsers';
import { parseEvent } from '../../shared/validation';
import { thrownBy } from '../support/thrown';

const schema = v.object({
  name: v.string(),
  count: integerArg,
  tags: v.optional(jsonArrayArg(v.pipe(v.array(v.string()), v.maxLength(2)))),
  level: v.optional(v.picklist(['low', 'high'])),
  code: v.optional(v.pipe(v.string(), v.regex(/^[a-z]+$/))),
  size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10))),
});

/** Runs parseEvent and returns the InputValidationError it throws. */
const inputErrorOf = (event: unknown): InputValidationError =>
  thrownBy(() => parseEvent(schema, event), InputValidationError);

describe('parseEvent', () => {
  it('returns the parsed input, with string arguments converted', () => {
    expect(parseEvent(schema, { name: 'a', count: '42', tags: '["x"]' })).toEqual({
      name: 'a',
      count: 42,
      tags: ['x'],
    });
  });

  it('drops unknown keys from the parsed input', () => {
    expect(parseEvent(schema, { name: 'a', count: 1, other: true })).toEqual({
      name: 'a',
      count: 1,
    });
  });

  it('lists every offending field in one line, with what was expected and received', () => {
    const error = inputErrorOf({ name: 5, count: '1.0', size: 11 });
    expect(error.message).toBe(
      'Invalid input (3 problems): name: expected a string, received number 5; count: expected an integer or a string holding one like "42", received string "1.0"; size: expected at most 10, received number 11',
    );
    expect(error.problems.map((p) => p.field)).toEqual(['name', 'count', 'size']);
  });

  it('says a required field is missing', () => {
    const error = inputErrorOf({ count: 1 });
    expect(error.message).toBe(
      'Invalid input (1 problem): name: required, expected a string, received nothing',
    );
  });

  it('says a required field that also accepts a string form is missing', () => {
    const error = inputErrorOf({ name: 'a' });
    expect(error.message).toBe(
      'Invalid input (1 problem): count: required, expected an integer, received nothing',
    );
  });

  it('describes an out-of-range, enum and pattern problem in words', () => {
    const error = inputErrorOf({ name: 'a', count: 1, size: 0, level: 'mid', code: 'A1' });
    expect(error.message).toContain('size: expected at least 1, received number 0');
    expect(error.message).toContain('level: expected one of "low", "high", received string "mid"');
    expect(error.message).toContain(
      'code: expected a string matching /^[a-z]+$/, received string "A1"',
    );
  });

  it('names the field of a too-long list with its size', () => {
    const error = inputErrorOf({ name: 'a', count: 1, tags: '["a","b","c"]' });
    expect(error.message).toContain('tags: expected at most 2 items, received 3 items');
  });

  it('names the element of a list that has the wrong type', () => {
    const error = inputErrorOf({ name: 'a', count: 1, tags: ['a', 7] });
    expect(error.message).toContain('tags[1]: expected a string, received number 7');
  });

  it.each([
    [null, 'null'],
    [[1, 2], 'an array of 2'],
    ['{"name":"a"}', 'string "{\\"name\\":\\"a\\"}"'],
    [42, 'number 42'],
    [undefined, 'nothing'],
  ])('rejects an event that is not a JSON object (%j)', (event, described) => {
    expect(inputErrorOf(event).message).toBe(
      `Invalid input (1 problem): (event): expected a JSON object of step arguments, received ${described}`,
    );
  });

  it('cuts a long received value to about 60 characters', () => {
    const error = inputErrorOf({ name: 'a', count: `9${'x'.repeat(5000)}` });
    const shown = /received string "([^"]*)"/.exec(error.message)?.[1] ?? '';
    expect(shown.length).toBeGreaterThan(40);
    expect(shown.length).toBeLessThanOrEqual(60);
    expect(shown.endsWith('…')).toBe(true);
    expect(error.message.length).toBeLessThan(200);
  });

  it('cuts a field name taken from the event to about 60 characters', () => {
    const scores = v.object({ scores: v.record(v.string(), v.number()) });
    const key = `k${'e'.repeat(10_000)}`;
    const { message, problems } = thrownBy(
      () => parseEvent(scores, { scores: { [key]: 'high' } }),
      InputValidationError,
    );
    expect(problems[0]?.field.startsWith('scores.kee')).toBe(true);
    expect(problems[0]?.field.length).toBeLessThanOrEqual(80);
    expect(message.length).toBeLessThan(200);
  });

  it("fits in SageMaker's 1,024-character failure reason and still names every field", () => {
    const many = v.object(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field${i}`, integerArg])),
    );
    const event = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`field${i}`, 'x'.repeat(3000)]),
    );
    const { message } = thrownBy(() => parseEvent(many, event), InputValidationError);
    for (let i = 0; i < 12; i++) expect(message).toContain(`field${i}`);
    expect(message.length).toBeLessThanOrEqual(1024);
  });

  it('keeps the message to one line with no stack trace or issue dump', () => {
    const error = inputErrorOf({
      name: 'line\nbreak'.repeat(3),
      count: {},
      tags: 'nope',
      size: 1.5,
    });
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).not.toMatch(/\bat .+:\d+:\d+/);
    expect(error.message).not.toContain('"code"');
    expect(error.message).not.toContain('ValiError');
    expect(error.message).not.toContain('Invalid type');
    expect(error.message).not.toContain('[');
    expect(error.problems).toHaveLength(3);
  });

  it('shows a control character in a received value escaped, keeping the line intact', () => {
    const error = inputErrorOf({ name: 'a', count: 'a\nb' });
    expect(error.message).toContain('received string "a\\nb"');
    expect(error.message).not.toContain('\n');
  });

  it('is an Error named InputValidationError that keeps the schema issues as its cause', () => {
    const error = inputErrorOf({});
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputValidationError');
    expect(error.cause).toBeDefined();
  });

  describe('with a plain valibot union', () => {
    const unionSchema = v.object({
      a: v.union([v.string(), v.number()]),
      b: v.optional(v.union([v.literal('x'), v.array(v.string())])),
    });
    const unionErrorOf = (event: unknown): string =>
      thrownBy(() => parseEvent(unionSchema, event), InputValidationError).message;

    it('says what each alternative expected instead of a bare "Invalid type"', () => {
      expect(unionErrorOf({ a: true })).toBe(
        'Invalid input (1 problem): a: expected a string or a number, received boolean true',
      );
    });

    it('says a missing union field is required', () => {
      expect(unionErrorOf({})).toBe(
        'Invalid input (1 problem): a: required, expected a string or a number, received nothing',
      );
    });

    it('names literal alternatives and where inside a value an alternative failed', () => {
      expect(unionErrorOf({ a: 1, b: 5 })).toContain(
        'b: expected "x" or an array, received number 5',
      );
      expect(unionErrorOf({ a: 1, b: [1] })).toContain(
        'b: expected "x" or an array whose [0] is a string, received an array of 1',
      );
    });
  });
});

describe('parseEvent size messages', () => {
  const schema = v.object({
    list: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(2)),
    name: v.pipe(v.string(), v.maxLength(1)),
  });

  it('says "1 item" and "1 character" in the singular', () => {
    const { message } = thrownBy(
      () => parseEvent(schema, { list: [], name: 'ab' }),
      InputValidationError,
    );
    expect(message).toContain('list: expected at least 1 item, received 0 items');
    expect(message).toContain('name: expected at most 1 character, received 2 characters');
  });
});
