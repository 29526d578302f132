/**
 * Arbitrary events for the property tests of the LambdaStep functions, and the checks
 * every response must pass. Events go through a JSON round trip before they reach a
 * handler, as they do when SageMaker invokes the function.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { InputValidationError } from '../../../shared/errors';
import type { LambdaStepHandler, OutputDeclaration, StepSchema } from '../../../shared/lambda-step';
import { lambdaContext, loadEvent } from './events';

/** Property runs per property: enough to find edge cases, bounded for a 2-core CI box. */
export const NUM_RUNS = 200;

/** SageMaker's `String1024` limit, restated here so the tests do not trust the code under test. */
const OUTPUT_VALUE_LIMIT = 1024;

/** Length in characters (code points), as SageMaker counts it. */
export const characters = (text: string): number => [...text].length;

/** Arrays and objects nested up to a few hundred levels, as values or as JSON text. */
export const deepValue = fc
  .tuple(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean())
  .map(([levels, useObjects, asText]) => {
    let value: unknown = 'leaf';
    for (let level = 0; level < levels; level++) value = useObjects ? { a: value } : [value];
    return asText ? JSON.stringify(value) : value;
  });

/** Strings around and far past the 1,024-character output limit. */
export const hugeString = fc
  .constantFrom(1023, 1024, 1025, 2048, 100_000)
  .chain((length) => fc.constantFrom('x', 'é', '😀').map((char) => char.repeat(length)));

/** Numbers, booleans and nulls written as strings, well-formed or not. */
export const numberAsString = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    '1.0',
    ' 2',
    '3 ',
    '0x10',
    'Infinity',
    'NaN',
    '',
    '-0',
    '1e3',
    '9007199254740993',
    'True',
    'true',
    'null',
  ),
);

/** Any value of the wrong kind, or of the right kind but hostile. */
export const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  numberAsString,
  hugeString,
  deepValue,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, [], {}),
);

/** Keys an event may carry besides the step's own, `__proto__` and look-alikes included. */
const strayKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''),
  fc.string({ maxLength: 20 }),
);

/**
 * Events built from the step's `fields`: each field missing, valid or hostile, plus
 * stray keys; now and then not an object at all. `valid` gives a valid value per field.
 */
export const hostileEvent = (
  valid: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<unknown> => {
  const fieldArbitraries = Object.entries(valid).map(([field, arbitrary]) =>
    fc
      .oneof(
        { weight: 3, arbitrary: arbitrary.map((value) => [[field, value]]) },
        { weight: 2, arbitrary: hostileValue.map((value) => [[field, value]]) },
        { weight: 1, arbitrary: fc.constant([]) },
      )
      .map((entries) => entries as Array<[string, unknown]>),
  );
  const objectEvent = fc
    .tuple(
      fc.tuple(...fieldArbitraries),
      fc.array(fc.tuple(strayKey, hostileValue), { maxLength: 3 }),
      fc.option(fc.oneof(fc.string({ maxLength: 100 }), hugeString, hostileValue), {
        nil: undefined,
      }),
    )
    .map(([fields, strays, arn]) => {
      const entries: Array<[string, unknown]> = [...strays, ...fields.flat()];
      if (arn !== undefined) entries.push(['pipelineExecutionArn', arn]);
      return Object.fromEntries(entries);
    });
  return fc
    .oneof(
      { weight: 9, arbitrary: objectEvent },
      { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileValue) },
    )
    .map((event) => JSON.parse(JSON.stringify(event) ?? 'null') as unknown);
};

/** How an invocation ended. */
export type Outcome =
  | { ok: true; outputs: Record<string, unknown> }
  | { ok: false; error: unknown };

/** Invokes a handler through middy with a fresh context. */
export const invoke = async <S extends StepSchema, O extends OutputDeclaration>(
  handler: LambdaStepHandler<S, O>,
  event: unknown,
): Promise<Outcome> => {
  try {
    return { ok: true, outputs: await handler(event, lambdaContext()) };
  } catch (error) {
    return { ok: false, error };
  }
};

/** Asserts outputs are exactly the declared ones, each of its type and within the limits. */
export const expectDeclaredOutputs = (
  declared: OutputDeclaration,
  outputs: Record<string, unknown>,
): void => {
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(declared).sort());
  for (const [name, type] of Object.entries(declared)) {
    const value = outputs[name];
    switch (type) {
      case 'String':
        expect(typeof value, name).toBe('string');
        expect(characters(value as string), name).toBeLessThanOrEqual(OUTPUT_VALUE_LIMIT);
        break;
      case 'Integer':
        expect(Number.isSafeInteger(value), `${name} = ${String(value)}`).toBe(true);
        break;
      case 'Float':
        expect(Number.isFinite(value), `${name} = ${String(value)}`).toBe(true);
        break;
      case 'Boolean':
        expect(typeof value, name).toBe('boolean');
        break;
    }
  }
};

/** Asserts an error is an input error whose one-line message names each offending field. */
export const expectInputError = (error: unknown, fields: readonly string[]): void => {
  expect(error).toBeInstanceOf(InputValidationError);
  const { problems, message } = error as InputValidationError;
  expect(problems.length).toBeGreaterThan(0);
  expect(message).not.toMatch(/[\r\n]/);
  const known = new RegExp(
    `^(\\(event\\)|(${fields.map((f) => f.replace(/[^A-Za-z0-9]/g, '\\$&')).join('|')})([[.].*)?)$`,
  );
  for (const problem of problems) {
    expect(problem.field).toMatch(known);
    expect(message).toContain(`${problem.field}: `);
  }
};

/**
 * Asserts the contract held for one invocation: declared outputs, or an input error
 * naming a field, or one of the `allowed` error classes; never anything else.
 */
export const expectContractHeld = <S extends StepSchema, O extends OutputDeclaration>(
  handler: LambdaStepHandler<S, O>,
  outcome: Outcome,
  allowed: ReadonlyArray<new (...args: never[]) => Error> = [],
): void => {
  if (outcome.ok) {
    expectDeclaredOutputs(handler.contract.outputs, outcome.outputs);
    return;
  }
  if (allowed.some((errorClass) => outcome.error instanceof errorClass)) return;
  expectInputError(outcome.error, [
    ...Object.keys(handler.contract.input.entries),
    'pipelineExecutionArn',
  ]);
};

/** A value as it arrives after SageMaker's JSON round trip. */
export const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The two tests every LambdaStep handler's suite starts with: its events/ fixture (`what` it is)
 * is answered with `answer`, and the event is left as it was.
 */
export const itAnswersItsFixture = <S extends StepSchema, O extends OutputDeclaration>(
  handler: LambdaStepHandler<S, O>,
  fixture: string,
  what: string,
  answer: unknown,
): void => {
  it(`answers its events/ fixture ${what}`, async () => {
    await expect(handler(loadEvent(fixture), lambdaContext())).resolves.toEqual(answer);
  });

  it('leaves the event it is given unchanged', async () => {
    const event = loadEvent(fixture);
    const before = structuredClone(event);
    await handler(event, lambdaContext());
    expect(event).toEqual(before);
  });
};

/**
 * An `{ items, batchSize }` event as a pipeline may send it: the items (after a JSON round trip)
 * and the size, both as values or both as text (a JSON string and a decimal string).
 */
export const itemsEvent = (itemList: fc.Arbitrary<unknown[]>, batchSize: fc.Arbitrary<number>) =>
  fc.tuple(itemList, batchSize, fc.boolean()).map(([raw, size, asText]) => {
    const items = viaJson(raw);
    const event = {
      items: asText ? JSON.stringify(items) : items,
      batchSize: asText ? String(size) : size,
    };
    return { items, size, event };
  });

/** A {@link hostileEvent} around `items` (a list or its JSON) and `batchSize` (a number or its text). */
export const hostileItemsEvent = (
  itemList: fc.Arbitrary<unknown[]>,
  batchSize: fc.Arbitrary<number>,
) =>
  hostileEvent({
    items: fc.oneof(
      itemList,
      itemList.map((list) => JSON.stringify(list)),
    ),
    batchSize: fc.oneof(batchSize, batchSize.map(String)),
  });
