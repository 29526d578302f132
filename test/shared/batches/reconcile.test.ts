import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ResourceLimitExceeded } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  childStatusChangeOf,
  type EndedChild,
} from '../../../shared/batches/events';
import { countsOf } from '../../../shared/batches/ledger';
import { reconcile } from '../../../shared/batches/reconcile';
import { refillBatch } from '../../../shared/batches/refill';
import {
  batchOf,
  deliver,
  expectExactlyOnce,
  runningChildren,
  runToCompletion,
  submit,
} from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { crashingLedger, newBatchWorld, RECOVERY_GRACE_MS } from '../../support/batches/harness';

describe('reconcile', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('finishes a batch whose status events are all lost', async () => {
    const world = await newBatchWorld(client, { accountLimit: 3 });
    const { batch } = await submit(world.deps, { items: ['a', 'b', 'c', 'd', 'e'] });
    for (let pass = 0; pass < 10; pass++) {
      for (const child of runningChildren(world.sagemaker)) child.status = 'Succeeded';
      await reconcile(world.deps);
    }
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.succeeded).toBe(5);
    expectExactlyOnce(world.sagemaker, 5);
    expect(world.sagemaker.peakRunning).toBe(3);
  });

  it.each([
    ['after the claim and its slots, before any start', 'exchangeAccountSlots', 'after', 3],
    ['after StartPipelineExecution, before the execution record', 'createExecution', 'before', 1],
  ] as const)(
    'recovers a function crash %s: one execution, same token',
    async (_, method, when, restarted) => {
      const world = await newBatchWorld(client, { accountLimit: 15 });
      const crashing = world.depsWith({ ledger: crashingLedger(world.ledger, method, when) });
      const { batch } = await submit(crashing, { items: ['a', 'b', 'c'] });
      const claimed = await batchOf(world.deps, batch.batchId);
      expect(Object.keys(claimed.running)).toHaveLength(3);
      const startsBefore = world.sagemaker.startCalls;

      // Within the grace, the reconciler leaves the claim alone: the function may still be working.
      await reconcile(world.deps);
      expect(world.sagemaker.startCalls).toBe(startsBefore);

      world.clock.advance(RECOVERY_GRACE_MS);
      const report = await reconcile(world.deps);
      expect(report.restarted).toBe(restarted);
      expectExactlyOnce(world.sagemaker, 3);
      await runToCompletion(world.sagemaker, () => world.deps);
      const done = await batchOf(world.deps, batch.batchId);
      expect(done.status).toBe('SUCCEEDED');
      expect(countsOf(done)).toMatchObject({ succeeded: 3, pending: 0, running: 0 });
      expectExactlyOnce(world.sagemaker, 3);
      expect(await world.ledger.accountSlots()).toEqual({});
    },
  );

  it('retries a start whose answer was lost with the same token, never putting it back', async () => {
    const world = await newBatchWorld(client);
    world.sagemaker.fault = (_, call) => (call === 1 ? 'after-start' : undefined);
    const { batch } = await submit(world.deps, { items: ['a'] });
    const [starting] = (
      await world.ledger.listExecutions(batch.batchId, { status: 'STARTING', limit: 5 })
    ).records;
    expect(starting).toMatchObject({ ambiguous: true, executionArn: undefined });
    // The function gave the start up: the next pass retries it without waiting for the grace.
    await reconcile(world.deps);
    expect(world.sagemaker.children).toHaveLength(1);
    const [running] = (
      await world.ledger.listExecutions(batch.batchId, { status: 'RUNNING', limit: 5 })
    ).records;
    expect(running?.executionArn).toBe(world.sagemaker.children[0]?.arn);
    expect(running?.clientRequestToken).toBe(world.sagemaker.children[0]?.token);
  });

  it('keeps a start that may exist claimed when its retry is refused, so the budget holds', async () => {
    const world = await newBatchWorld(client);
    // The function crashes once its start is answered, before the execution record is written.
    const crashing = world.depsWith({
      ledger: crashingLedger(world.ledger, 'createExecution', 'before'),
    });
    const { batch } = await submit(crashing, { items: ['a'] });
    expect(world.sagemaker.children).toHaveLength(1);
    // SageMaker does not publish whether it checks the token or the quota first: say the quota.
    world.sagemaker.fault = (_, call) =>
      call === 2
        ? new ResourceLimitExceeded({
            message: 'limit reached',
            $metadata: { httpStatusCode: 400 },
          })
        : undefined;
    world.clock.advance(RECOVERY_GRACE_MS);
    await reconcile(world.deps);
    const kept = await batchOf(world.deps, batch.batchId);
    expect(countsOf(kept)).toMatchObject({ running: 1, pending: 0 });
    const [starting] = (
      await world.ledger.listExecutions(batch.batchId, { status: 'STARTING', limit: 5 })
    ).records;
    expect(starting?.ambiguous).toBe(true);
    expect(Object.keys(await world.ledger.accountSlots())).toHaveLength(1);
    await reconcile(world.deps);
    const [running] = (
      await world.ledger.listExecutions(batch.batchId, { status: 'RUNNING', limit: 5 })
    ).records;
    expect(running?.executionArn).toBe(world.sagemaker.children[0]?.arn);
    expect(world.sagemaker.children).toHaveLength(1);
  });

  it('leaves a pair claimed again from pending alone while its function may be starting it', async () => {
    const world = await newBatchWorld(client, { accountLimit: 15 });
    world.sagemaker.quota = 1;
    const { batch } = await submit(world.deps, { items: ['a', 'b'] });
    // b was refused and put back; a function claims it again and crashes before starting it.
    world.sagemaker.quota = 10;
    const claimed = await world.ledger.claim({
      batchId: batch.batchId,
      claimId: 'c',
      cursor: 2,
      runningBefore: 1,
      maxConcurrentExecutions: 10,
      fromRequeued: [{ pair: 1, attempt: 1 }],
      fromCursor: 0,
      now: world.clock.now(),
    });
    expect(claimed?.running).toHaveProperty('1');
    await reconcile(world.deps);
    expect((await batchOf(world.deps, batch.batchId)).running).toHaveProperty('1');
    expect(world.sagemaker.children).toHaveLength(1);
    world.clock.advance(RECOVERY_GRACE_MS);
    await reconcile(world.deps);
    expect(world.sagemaker.children).toHaveLength(2);
    await runToCompletion(world.sagemaker, () => world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expectExactlyOnce(world.sagemaker, 2);
  });

  it('starts items put back by ResourceLimitExceeded once other executions free the quota', async () => {
    const world = await newBatchWorld(client);
    world.sagemaker.quota = 2;
    world.sagemaker.foreignRunning = 2;
    const { batch } = await submit(world.deps, { items: ['a', 'b', 'c'] });
    expect(countsOf(batch)).toMatchObject({ running: 0, pending: 3, failed: 0 });
    world.sagemaker.foreignRunning = 0;
    await reconcile(world.deps);
    expect(countsOf(await batchOf(world.deps, batch.batchId))).toMatchObject({
      running: 2,
      pending: 1,
    });
    await runToCompletion(world.sagemaker, () => world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expectExactlyOnce(world.sagemaker, 3);
  });

  it('keeps the slot a claimed pair took over from an ended one, however old', async () => {
    const world = await newBatchWorld(client, { accountLimit: 2 });
    const { batch } = await submit(world.deps, { items: ['a', 'b', 'c'] });
    const first = Object.keys(await world.ledger.accountSlots()).sort();
    const [child] = runningChildren(world.sagemaker);
    if (child === undefined) throw new Error('nothing running');
    await deliver(world.deps, world.sagemaker.end(child));
    const after = await batchOf(world.deps, batch.batchId);
    expect(after.running[2]?.holder).toBe(`${batch.batchId}#0#1`);
    world.clock.advance(RECOVERY_GRACE_MS);
    const report = await reconcile(world.deps);
    expect(report.releasedSlots).toBe(0);
    expect(Object.keys(await world.ledger.accountSlots()).sort()).toEqual(first);
    await runToCompletion(world.sagemaker, () => world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expect(await world.ledger.accountSlots()).toEqual({});
    expect(world.sagemaker.peakRunning).toBe(2);
  });

  it('gives back an account slot left by a crash between settling and releasing', async () => {
    const world = await newBatchWorld(client, { accountLimit: 2 });
    const crashing = world.depsWith({
      ledger: crashingLedger(world.ledger, 'releaseAccountSlot', 'before'),
    });
    const { batch } = await submit(world.deps, { items: ['a', 'b', 'c'] });
    const [child] = runningChildren(world.sagemaker);
    if (child === undefined) throw new Error('nothing running');
    child.status = 'Succeeded';
    await expect(reconcile(crashing)).resolves.toMatchObject({ ended: 0 });
    expect(Object.keys(await world.ledger.accountSlots())).toHaveLength(2);
    world.clock.advance(RECOVERY_GRACE_MS);
    const report = await reconcile(world.deps);
    expect(report.releasedSlots).toBe(1);
    await refillBatch(world.deps, batch.batchId);
    await runToCompletion(world.sagemaker, () => world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expect(world.sagemaker.peakRunning).toBe(2);
  });

  it('leaves a child ended moments ago to the function settling it, and settles it past the grace', async () => {
    const world = await newBatchWorld(client, { accountLimit: 2 });
    const { batch } = await submit(world.deps, {
      items: ['a', 'b', 'c'],
      maxConcurrentExecutions: 1,
    });
    const [child] = world.sagemaker.children;
    if (child === undefined) throw new Error('nothing running');
    const change = childStatusChangeOf(world.sagemaker.end(child));
    if (change === undefined) throw new Error('not a status change');
    const ended: EndedChild[] = [];
    // Recorded, and its function not yet at the settle.
    await applyStatusChange(world.deps, change, { ended });
    expect(ended).toHaveLength(1);
    await reconcile(world.deps);
    expect(await batchOf(world.deps, batch.batchId)).toMatchObject({ succeeded: 0, cursor: 1 });
    world.clock.advance(RECOVERY_GRACE_MS);
    await expect(reconcile(world.deps)).resolves.toMatchObject({ ended: 1 });
    expect(await batchOf(world.deps, batch.batchId)).toMatchObject({ succeeded: 1, cursor: 2 });
    expect(world.sagemaker.children).toHaveLength(2);
  });

  it('runs while events are in flight without starting anything twice', async () => {
    const world = await newBatchWorld(client, { accountLimit: 5 });
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: Array.from({ length: 12 }, (_, i) => i),
    });
    const other = world.depsWith();
    let passes = 0;
    await runToCompletion(world.sagemaker, () => {
      passes++;
      if (passes % 3 === 0) {
        world.clock.advance(RECOVERY_GRACE_MS);
        void reconcile(other);
      }
      return world.deps;
    });
    for (let pass = 0; pass < 3; pass++) await reconcile(world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expectExactlyOnce(world.sagemaker, 24);
    expect(world.sagemaker.peakRunning).toBeLessThanOrEqual(5);
  });
});
