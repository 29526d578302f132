import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { handler as concat } from '../../functions/concat/handler';
import { handler as inspectItems } from '../../functions/inspect-items/handler';
import { handler as planBatches } from '../../functions/plan-batches/handler';
import { InputValidationError, OutputTooLargeError } from '../../shared/errors';
import { checkOutputs } from '../../shared/lambda-step';
import { ABUSE_RUNS, badValue, eventAround, nonObjectEvent } from '../support/abuse/arbitraries';
import { lambdaContext } from '../support/lambda/events';

const tried: Record<string, number> = {};

type StepHandler = ((
  event: unknown,
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>) & {
  contract: {
    outputs: Record<string, 'String' | 'Integer' | 'Boolean' | 'Float'>;
    eventSchema: { shape: object };
  };
};

/**
 * Invokes the handler and classifies the outcome: a result must satisfy the declared
 * outputs; a failure must be one of the expected errors and name a field or output.
 */
const outcomeOf = async (
  handler: StepHandler,
  event: unknown,
  allowed: Array<new (...args: never[]) => Error>,
): Promise<'ok' | 'rejected'> => {
  try {
    const result = await handler(event, lambdaContext());
    checkOutputs(handler.contract.outputs, result);
    return 'ok';
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw error;
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/ at .*\.(ts|js):\d+/);
    if (error instanceof InputValidationError) {
      expect(error.problems.length).toBeGreaterThan(0);
      for (const problem of error.problems) expect(problem.field).not.toBe('');
    }
    return 'rejected';
  }
};

const abuse = (
  name: string,
  handler: StepHandler,
  good: Record<string, fc.Arbitrary<unknown>>,
  allowed: Array<new (...args: never[]) => Error> = [InputValidationError],
) => {
  it(`${name} answers ${ABUSE_RUNS} generated bad events with a result or a validation error`, async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: eventAround(good), weight: 9 },
          { arbitrary: nonObjectEvent, weight: 1 },
        ),
        async (event) => {
          count++;
          await outcomeOf(handler, event, allowed);
        },
      ),
      { numRuns: ABUSE_RUNS },
    );
    tried[name] = count;
    expect(count).toBe(ABUSE_RUNS);
    expect(Object.prototype).not.toHaveProperty('polluted');
  }, 240_000);
};

const items = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 30 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 30 }).map((list) => JSON.stringify(list)),
);
const batchSize = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.integer({ min: 1, max: 20 }).map(String),
);

describe('abuse: LambdaStep functions', () => {
  afterAll(() => {
    for (const [name, count] of Object.entries(tried))
      console.log(`abuse ${name}: ${count} inputs tried`);
  });

  abuse('concat', concat as unknown as StepHandler, { str1: fc.string(), str2: fc.string() });
  abuse('inspect-items', inspectItems as unknown as StepHandler, { items, batchSize });
  abuse('plan-batches', planBatches as unknown as StepHandler, { items, batchSize }, [
    InputValidationError,
    OutputTooLargeError,
  ]);

  it('never lets a bad value reach a step as an accepted argument of the wrong type', async () => {
    await fc.assert(
      fc.asyncProperty(badValue, badValue, async (str1, str2) => {
        const outcome = await outcomeOf(concat as unknown as StepHandler, { str1, str2 }, [
          InputValidationError,
        ]);
        if (outcome === 'ok') {
          expect(typeof str1).toBe('string');
          expect(typeof str2).toBe('string');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
