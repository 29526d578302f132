import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/inspect-items/handler';
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

const item = fc.jsonValue({ maxDepth: 2 });
const itemList = fc.array(item, { maxLength: 40 });
const batchSize = fc.integer({ min: 1, max: 50 });

/** What inspect-items must answer for `items` and `size`, computed independently. */
const expected = (items: unknown[], size: number) => {
  const batchCount = Math.ceil(items.length / size);
  const first = items[0];
  return {
    itemCount: items.length,
    hasItems: items.length > 0,
    batchCount,
    meanBatchSize: items.length === 0 ? 0 : items.length / batchCount,
    firstItem: items.length === 0 ? '' : typeof first === 'string' ? first : JSON.stringify(first),
  };
};

describe('inspect-items handler', () => {
  itAnswersItsFixture(handler, 'inspect-items', '(items as a JSON string, with an execution ARN)', {
    itemCount: 4,
    hasItems: true,
    batchCount: 2,
    meanBatchSize: 2,
    firstItem: 'a',
  });

  it('answers an empty list with zeros, hasItems false and an empty firstItem', async () => {
    await expect(handler({ items: '[]', batchSize: 5 }, lambdaContext())).resolves.toEqual({
      itemCount: 0,
      hasItems: false,
      batchCount: 0,
      meanBatchSize: 0,
      firstItem: '',
    });
  });

  it('uses a batch size of 1 when none is given', async () => {
    await expect(handler({ items: ['a', 'b', 'c'] }, lambdaContext())).resolves.toMatchObject({
      batchCount: 3,
      meanBatchSize: 1,
    });
  });

  it('renders a first item that is not a string as JSON', async () => {
    const outputs = await handler({ items: [{ id: 4, tags: ['x'] }, 'b'] }, lambdaContext());
    expect(outputs.firstItem).toBe('{"id":4,"tags":["x"]}');
  });

  it('accepts a first item of exactly 1,024 characters', async () => {
    const outputs = await handler({ items: ['x'.repeat(1024)] }, lambdaContext());
    expect(outputs.firstItem).toHaveLength(1024);
  });

  it('reports a first item over 1,024 characters as an input error on items[0]', async () => {
    const outcome = await invoke(handler, { items: ['x'.repeat(1025)] });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expectInputError(outcome.error, ['items']);
      expect((outcome.error as Error).message).toContain('items[0]: is 1025 characters');
    }
  });

  it('counts the first item in characters: 1,024 emoji fit, 1,025 do not', async () => {
    const outputs = await handler({ items: ['😀'.repeat(1024)] }, lambdaContext());
    expect(outputs.firstItem).toBe('😀'.repeat(1024));
    const outcome = await invoke(handler, { items: ['😀'.repeat(1025)] });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expectInputError(outcome.error, ['items']);
  });

  it('accepts 10,000 items and rejects 10,001', async () => {
    const many = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => i));
    await expect(handler({ items: many(10_000) }, lambdaContext())).resolves.toMatchObject({
      itemCount: 10_000,
    });
    const outcome = await invoke(handler, { items: many(10_001) });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect((outcome.error as Error).message).toBe(
        'Invalid input (1 problem): items: expected at most 10000 items, received 10001 items',
      );
    }
  });

  it.each([
    [0, 'expected at least 1'],
    ['1.0', 'expected an integer'],
    [2.5, 'expected an integer'],
    [10_001, 'expected at most 10000'],
    ['', 'expected an integer'],
  ])('rejects the batch size %j', async (size, problem) => {
    const outcome = await invoke(handler, { items: ['a'], batchSize: size });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expectInputError(outcome.error, ['batchSize']);
      expect((outcome.error as Error).message).toContain(`batchSize: ${problem}`);
    }
  });

  it('rejects a Python list in a string, which is not JSON', async () => {
    const outcome = await invoke(handler, { items: "['a', 'b']" });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expectInputError(outcome.error, ['items']);
  });

  it('computes counts, ceil batches, mean batch size and first item for any list', async () => {
    await fc.assert(
      fc.asyncProperty(itemsEvent(itemList, batchSize), async ({ items, size, event }) => {
        const outcome = await invoke(handler, event);
        const want = expected(items, size);
        if (want.firstItem.length > 1024) {
          expect(outcome.ok).toBe(false);
          return;
        }
        expect(outcome).toEqual({ ok: true, outputs: want });
        if (outcome.ok) {
          const { batchCount, meanBatchSize, itemCount } = want;
          expect(batchCount * size).toBeGreaterThanOrEqual(itemCount);
          expect((batchCount - 1) * size).toBeLessThan(Math.max(itemCount, 1));
          expect(meanBatchSize).toBeLessThanOrEqual(size);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('for any event returns outputs of the declared types or an input error naming a field', async () => {
    await fc.assert(
      fc.asyncProperty(hostileItemsEvent(itemList, batchSize), async (event) => {
        expectContractHeld(handler, await invoke(handler, event));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
