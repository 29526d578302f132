import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  childStatusChangeOf,
  type EndedChild,
} from '../../../shared/batches/events';
import { countsOf } from '../../../shared/batches/ledger';
import { refillBatch, refillBatchFrom } from '../../../shared/batches/refill';
import {
  batchOf,
  deliver,
  expectExactlyOnce,
  runningChildren,
  runToCompletion,
  submit,
} from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { throttling } from '../../support/batches/fake-sagemaker';
import { newBatchWorld } from '../../support/batches/harness';

const items = (count: number) => Array.from({ length: count }, (_, i) => `item-${i}`);

describe('refill', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('runs every (pipeline, item) exactly once, never more than maxConcurrentExecutions at once', async () => {
    const world = await newBatchWorld(client, { accountLimit: 15 });
    let peak = 0;
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: items(30),
      maxConcurrentExecutions: 4,
    });
    expect(runningChildren(world.sagemaker)).toHaveLength(4);
    await runToCompletion(world.sagemaker, () => {
      peak = Math.max(peak, runningChildren(world.sagemaker).length);
      return world.deps;
    });
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('SUCCEEDED');
    expect(countsOf(done)).toEqual({
      total: 60,
      pending: 0,
      running: 0,
      succeeded: 60,
      failed: 0,
      stopped: 0,
    });
    expectExactlyOnce(world.sagemaker, 60);
    expect(peak).toBeLessThanOrEqual(4);
    expect(world.sagemaker.peakRunning).toBe(4);
    expect(await world.ledger.accountSlots()).toEqual({});
  });

  it('starts each child with its rendered parameters, display name, token and description', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: [{ id: 'x' }, { id: 'y' }],
      parameters: { Item: '{{item.id}}', Index: '{{index}}', Batch: '{{batchId}}' },
      displayNamePrefix: 'nightly run',
      maxParallelExecutionSteps: 2,
    });
    // Starts run concurrently: compare in pair order.
    const children = world.sagemaker.children
      .map((child) => ({
        pipeline: child.pipeline,
        displayName: child.displayName,
        description: JSON.parse(child.description ?? '{}') as { pair: number },
        parameters: child.parameters,
      }))
      .sort((a, b) => a.description.pair - b.description.pair);
    expect(children).toEqual([
      ...['x', 'y'].flatMap((id, index) =>
        ['child-pipeline-1', 'child-pipeline-2'].map((pipeline, p) => ({
          pipeline,
          displayName: `nightly-run-${batch.batchId}-${index}`,
          description: { batchId: batch.batchId, pair: index * 2 + p, attempt: 1 },
          parameters: [
            { Name: 'Item', Value: id },
            { Name: 'Index', Value: String(index) },
            { Name: 'Batch', Value: batch.batchId },
          ],
        })),
      ),
    ]);
    expect(world.sagemaker.children.map((child) => child.parallelism)).toEqual([2, 2, 2, 2]);
    const tokens = new Set(world.sagemaker.children.map((child) => child.token));
    expect(tokens.size).toBe(4);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps all batches within the account budget and hands freed slots to waiting batches', async () => {
    const world = await newBatchWorld(client, { accountLimit: 3 });
    const first = await submit(world.deps, { items: items(8), maxConcurrentExecutions: 10 }, 'a');
    const second = await submit(world.deps, { items: items(8), maxConcurrentExecutions: 10 }, 'b');
    expect(countsOf(first.batch).running).toBe(3);
    expect(countsOf(second.batch).running).toBe(0);
    expect(countsOf(second.batch).pending).toBe(8);
    await runToCompletion(world.sagemaker, () => world.deps, { seed: 7 });
    expect(world.sagemaker.peakRunning).toBe(3);
    for (const batchId of [first.batch.batchId, second.batch.batchId]) {
      expect((await batchOf(world.deps, batchId)).status).toBe('SUCCEEDED');
    }
    expectExactlyOnce(world.sagemaker, 16);
  });

  it('puts an item refused with ResourceLimitExceeded back to pending, never failing it', async () => {
    const world = await newBatchWorld(client, { accountLimit: 15 });
    world.sagemaker.quota = 2;
    const { batch, created } = await submit(world.deps, { items: items(6) });
    expect(created).toBe(true);
    expect(countsOf(batch)).toMatchObject({ running: 2, pending: 4, failed: 0 });
    const refused = await world.ledger.listExecutions(batch.batchId, {
      status: 'PENDING',
      limit: 10,
    });
    expect(refused.records.map((record) => record.failureReason)).toEqual(
      Array.from({ length: 4 }, () => expect.stringMatching(/^ResourceLimitExceeded: /)),
    );
    await runToCompletion(world.sagemaker, () => world.deps);
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.failed).toBe(0);
    expectExactlyOnce(world.sagemaker, 6);
    expect(world.sagemaker.peakRunning).toBe(2);
  });

  it('puts a throttled start back to pending, and the next refill starts it', async () => {
    const world = await newBatchWorld(client);
    world.sagemaker.fault = (_, call) => (call === 2 ? throttling() : undefined);
    const { batch } = await submit(world.deps, { items: items(3) });
    expect(countsOf(batch)).toMatchObject({ running: 2, pending: 1 });
    const [throttled] = (
      await world.ledger.listExecutions(batch.batchId, { status: 'PENDING', limit: 5 })
    ).records;
    expect(throttled?.failureReason).toMatch(/^ThrottlingException: Rate exceeded/);
    await refillBatch(world.deps, batch.batchId);
    expect(countsOf(await batchOf(world.deps, batch.batchId))).toMatchObject({
      running: 3,
      pending: 0,
    });
    await runToCompletion(world.sagemaker, () => world.deps);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expectExactlyOnce(world.sagemaker, 3);
  });

  it('claims from a known record, but reads the batch before it drops an ended pair or stops', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, { items: items(4), maxConcurrentExecutions: 2 });
    // Known before pair 2 was claimed: it holds pairs 0 and 1 only.
    const known = await batchOf(world.deps, batch.batchId);
    const pairOf = (child: { description?: string | undefined }) =>
      (JSON.parse(child.description ?? '{}') as { pair: number }).pair;
    const child = (pair: number) => {
      const found = world.sagemaker.children.find((c) => pairOf(c) === pair);
      if (found === undefined) throw new Error(`pair ${pair} was not started`);
      return found;
    };
    await deliver(world.deps, world.sagemaker.end(child(0)));
    expect(Object.keys((await batchOf(world.deps, batch.batchId)).running)).toEqual(['1', '2']);
    const change = childStatusChangeOf(world.sagemaker.end(child(2)));
    if (change === undefined) throw new Error('not a status change');
    const ended: EndedChild[] = [];
    await applyStatusChange(world.deps, change, { ended });
    const result = await refillBatchFrom(world.deps, batch.batchId, { ended, known });
    const after = await batchOf(world.deps, batch.batchId);
    expect(after).toMatchObject({ succeeded: 2, cursor: 4 });
    expect(Object.keys(after.running)).toEqual(['1', '3']);
    // The record it was given was stale: it leaves none for the next refill to start from.
    expect(result.batch).toBeUndefined();
    // A known record saying there is nothing left to start is not trusted either.
    await refillBatchFrom(world.deps, batch.batchId, {
      known: { ...after, cursor: 0, running: {} },
    });
    expect(await batchOf(world.deps, batch.batchId)).toEqual(after);
    await runToCompletion(world.sagemaker, () => world.deps);
    expectExactlyOnce(world.sagemaker, 4);
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
  });

  it('lets concurrent refills and events claim pairs without duplicates or overshoot', async () => {
    const world = await newBatchWorld(client, { accountLimit: 6 });
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: items(40),
      maxConcurrentExecutions: 50,
    });
    // Five function instances, each with its own cache, refill and take events at once.
    const instances = Array.from({ length: 5 }, () => world.depsWith());
    for (let round = 0; round < 200 && runningChildren(world.sagemaker).length > 0; round++) {
      const ending = runningChildren(world.sagemaker).slice(0, 3);
      const events = ending.map((child) => world.sagemaker.end(child));
      await Promise.all([
        ...events.flatMap((event, i) => [
          deliver(instances[i % 5] ?? world.deps, event),
          deliver(instances[(i + 1) % 5] ?? world.deps, event),
        ]),
        refillBatch(instances[3] ?? world.deps, batch.batchId),
        refillBatch(instances[4] ?? world.deps, batch.batchId),
      ]);
      expect(world.sagemaker.running()).toBeLessThanOrEqual(6);
    }
    expect((await batchOf(world.deps, batch.batchId)).status).toBe('SUCCEEDED');
    expectExactlyOnce(world.sagemaker, 80);
    expect(world.sagemaker.peakRunning).toBeLessThanOrEqual(6);
  });

  it('fails a child SageMaker refuses for good, with the reason, and ends the batch FAILED', async () => {
    const world = await newBatchWorld(client);
    world.sagemaker.pipelines = new Set(['child-pipeline-1']);
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: items(2),
    });
    const failed = await world.ledger.listExecutions(batch.batchId, {
      status: 'FAILED',
      limit: 10,
    });
    expect(
      failed.records.map((record) => [record.pipeline, record.itemIndex, record.failureReason]),
    ).toEqual([
      ['child-pipeline-2', 0, 'ResourceNotFound: Pipeline child-pipeline-2 does not exist'],
      ['child-pipeline-2', 1, 'ResourceNotFound: Pipeline child-pipeline-2 does not exist'],
    ]);
    await runToCompletion(world.sagemaker, () => world.deps);
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('FAILED');
    expect(countsOf(done)).toMatchObject({ succeeded: 2, failed: 2, pending: 0, running: 0 });
  });
});
