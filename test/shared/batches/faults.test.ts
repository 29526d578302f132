import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { countsOf } from '../../../shared/batches/ledger';
import { reconcile } from '../../../shared/batches/reconcile';
import {
  batchOf,
  deliver,
  expectExactlyOnce,
  runningChildren,
  seeded,
  submit,
} from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { type FakeChild, serverError, throttling } from '../../support/batches/fake-sagemaker';
import { newBatchWorld, RECOVERY_GRACE_MS } from '../../support/batches/harness';

/**
 * Everything at once, from a seed: throttled, refused and lost-answer starts, other
 * executions holding the quota, duplicated and lost events, reconciler passes. Whatever
 * happens, every (pipeline, item) runs exactly once, never more than the budget at once,
 * and the batch succeeds with no re-send.
 */
describe('a batch under faults', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it.each([1, 2, 3])('ends with exactly one execution per pair (seed %i)', async (seed) => {
    const budget = 5;
    const world = await newBatchWorld(client, { accountLimit: budget });
    const random = seeded(seed);
    world.sagemaker.quota = 6;
    world.sagemaker.fault = () => {
      const roll = random();
      if (roll < 0.1) return throttling();
      if (roll < 0.15) return 'after-start';
      if (roll < 0.18) return serverError();
      return undefined;
    };
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: Array.from({ length: 15 }, (_, i) => `item-${i}`),
      maxConcurrentExecutions: 4,
    });
    const stolen = () => (random() < 0.15 ? 2 : 0);
    for (let step = 0; step < 2_000; step++) {
      const current = await batchOf(world.deps, batch.batchId);
      if (current.status !== 'RUNNING') break;
      world.sagemaker.foreignRunning = stolen();
      const running = runningChildren(world.sagemaker);
      const roll = random();
      if (running.length > 0 && roll < 0.75) {
        const child = running[Math.floor(random() * running.length)] as FakeChild;
        const event = world.sagemaker.end(child);
        const fate = random();
        if (fate < 0.8) await deliver(world.deps, event);
        if (fate < 0.2) await deliver(world.deps, event);
      } else {
        if (random() < 0.5) world.clock.advance(RECOVERY_GRACE_MS);
        world.sagemaker.foreignRunning = 0;
        await reconcile(world.deps);
      }
      expect(world.sagemaker.running()).toBeLessThanOrEqual(budget);
    }
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('SUCCEEDED');
    expect(countsOf(done)).toMatchObject({ total: 30, succeeded: 30, failed: 0, pending: 0 });
    expectExactlyOnce(world.sagemaker, 30);
    // The faults did happen: starts were refused or retried.
    expect(world.sagemaker.startCalls).toBeGreaterThan(30);
    expect(world.sagemaker.peakRunning).toBeLessThanOrEqual(budget);
    expect(await world.ledger.accountSlots()).toEqual({});
  });
});
