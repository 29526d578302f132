import { describe, expect, it } from 'vitest';
import { watchBatchProgress } from '../../../local/cli/batch-progress';
import { startBatchWorld } from '../wiring/batch-world';

describe("npm start's live view of batches", () => {
  it('prints a batch whose counts changed, up to its end', async () => {
    const world = await startBatchWorld({
      quota: 20,
      budget: 4,
      knobs: { stepLatencyMs: [20, 60] },
    });
    const lines: string[] = [];
    const dynamoDb = world.local.services?.dynamoDb;
    if (!dynamoDb) throw new Error('no dynalite');
    const stop = watchBatchProgress({
      events: world.local.runtime.events,
      dynamoDbEndpoint: dynamoDb.endpoint,
      tableName: dynamoDb.tables[0] ?? '',
      region: world.local.runtime.region,
      out: (line) => lines.push(line),
      everyMs: 50,
    });
    try {
      const submitted = await world.submit([['a'], ['b'], ['c'], ['d'], ['e']], 'progress', 4);
      const { batchId } = submitted.body;
      expect(await world.waitForBatch(batchId)).toMatchObject({ status: 'SUCCEEDED' });
      await expect
        .poll(() => lines.at(-1), { timeout: 5_000 })
        .toMatch(new RegExp(`batch ${batchId} SUCCEEDED .* 10/10 .*succeeded 10, failed 0`));
      expect(lines.some((line) => line.includes(' RUNNING '))).toBe(true);
      // A line is printed only when the counts changed.
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      stop();
    }
  }, 60_000);
});
