import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/plan-batches/handler';
import { OutputTooLargeError } from '../../../shared/errors';
import { lambdaContext } from '../../support/lambda/events';
import {
  expectContractHeld,
  expectInputError,
  hostileItemsEvent,
  invoke,
  itAnswersItsFixture,
  itemsEvent,
  NUM_RUNS,
} from '../../support/lambda/hostile-events';

const item = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.jsonValue({ maxDepth: 1 }));
const itemList = fc.array(item, { maxLength: 60 });
const batchSize = fc.integer({ min: 1, max: 12 });

describe('plan-batches handler', () => {
  itAnswersItsFixture(
    handler,
    'plan-batches',
    '(batch size as a string) with consecutive batches',
    {
      batches: '[["a","b"],["c","d"],["e"]]',
    },
  );

  it('answers an empty list with an empty list of batches', async () => {
    await expect(handler({ items: [], batchSize: 3 }, lambdaContext())).resolves.toEqual({
      batches: '[]',
    });
  });

  it('returns batches whose JSON is exactly 1,024 characters', async () => {
    // [["x…x"]] is the item plus 6 characters.
    const outputs = await handler({ items: ['x'.repeat(1018)], batchSize: 1 }, lambdaContext());
    expect(outputs.batches).toHaveLength(1024);
  });

  it('throws OutputTooLargeError, by how much and suggesting S3, one character over', async () => {
    const outcome = await invoke(handler, { items: ['x'.repeat(1019)], batchSize: 1 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(OutputTooLargeError);
      expect((outcome.error as Error).message).toBe(
        'Output batches is 1025 characters as JSON, 1 over the 1024-character limit of a LambdaStep output value; store the data in S3 and return its URI instead',
      );
    }
  });

  it('passes items with a "__proto__" key through as data', async () => {
    await expect(
      handler({ items: '[{"__proto__": {"x": 1}}, "b"]', batchSize: 1 }, lambdaContext()),
    ).resolves.toEqual({ batches: '[[{"__proto__":{"x":1}}],["b"]]' });
  });

  it('requires a batch size', async () => {
    const outcome = await invoke(handler, { items: ['a'] });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expectInputError(outcome.error, ['batchSize']);
      expect((outcome.error as Error).message).toBe(
        'Invalid input (1 problem): batchSize: required, expected an integer, received nothing',
      );
    }
  });

  it('returns batches that, decoded and flattened, are the items in order', async () => {
    await fc.assert(
      fc.asyncProperty(itemsEvent(itemList, batchSize), async ({ items, size, event }) => {
        const outcome = await invoke(handler, event);
        const planned: unknown[][] = [];
        for (let start = 0; start < items.length; start += size) {
          planned.push(items.slice(start, start + size));
        }
        if (JSON.stringify(planned).length > 1024) {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(outcome.error).toBeInstanceOf(OutputTooLargeError);
          return;
        }
        expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        const batches = JSON.parse(outcome.outputs.batches as string) as unknown[][];
        expect(batches.flat()).toEqual(items);
        expect(batches).toHaveLength(Math.ceil(items.length / size));
        batches.forEach((batch, index) => {
          if (index < batches.length - 1) expect(batch).toHaveLength(size);
          else expect(batch.length).toBeGreaterThanOrEqual(1);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('for any event returns a JSON string of batches or an input or output-size error', async () => {
    await fc.assert(
      fc.asyncProperty(hostileItemsEvent(itemList, batchSize), async (event) => {
        const outcome = await invoke(handler, event);
        expectContractHeld(handler, outcome, [OutputTooLargeError]);
        if (outcome.ok) {
          expect(Array.isArray(JSON.parse(outcome.outputs.batches as string))).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
