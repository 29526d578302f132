import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { childStatusChangeOf } from '../../../shared/batches/events';
import { countsOf } from '../../../shared/batches/ledger';
import {
  batchOf,
  deliver,
  expectExactlyOnce,
  runningChildren,
  seeded,
  submit,
} from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { type FakeChild, statusEvent } from '../../support/batches/fake-sagemaker';
import { newBatchWorld } from '../../support/batches/harness';

describe('child status events', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('reads only execution status changes', () => {
    expect(childStatusChangeOf({ 'detail-type': 'Something else', detail: {} })).toBeUndefined();
    expect(childStatusChangeOf('text')).toBeUndefined();
    expect(
      childStatusChangeOf({
        'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
        detail: { currentPipelineExecutionStatus: 'Succeeded' },
      }),
    ).toBeUndefined();
  });

  it('ignores executions that are not a batch child', async () => {
    const world = await newBatchWorld(client);
    const outcome = await deliver(
      world.deps,
      statusEvent(
        {
          arn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-pipeline-1/execution/x',
          pipeline: 'child-pipeline-1',
          token: 't',
          displayName: 'manual',
          description: 'started by hand',
          parameters: [],
          parallelism: undefined,
          status: 'Succeeded',
        },
        'Succeeded',
      ),
    );
    expect(outcome).toBe('ignored');
  });

  it('changes nothing when events come twice, out of order or late', async () => {
    const world = await newBatchWorld(client, { accountLimit: 4 });
    const { batch } = await submit(world.deps, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: Array.from({ length: 15 }, (_, i) => i),
    });
    const random = seeded(42);
    const held: Array<ReturnType<typeof statusEvent>> = [];
    const executing: Array<ReturnType<typeof statusEvent>> = [];
    for (let step = 0; step < 500; step++) {
      const running = runningChildren(world.sagemaker);
      if (running.length === 0 && held.length === 0) break;
      if (running.length > 0) {
        const child = running[Math.floor(random() * running.length)] as FakeChild;
        executing.push(statusEvent(child, 'Executing'));
        held.push(world.sagemaker.end(child));
      }
      // Deliver a random held event (reordered), sometimes twice.
      if (held.length > 0 && (running.length <= 1 || random() < 0.6)) {
        const [event] = held.splice(Math.floor(random() * held.length), 1);
        await deliver(world.deps, event);
        if (random() < 0.5) await deliver(world.deps, event);
        // A late "Executing" for a child that already ended changes nothing.
        const late = executing[Math.floor(random() * executing.length)];
        if (late !== undefined) expect(await deliver(world.deps, late)).toBe('stale');
      }
      expect(world.sagemaker.running()).toBeLessThanOrEqual(4);
    }
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('SUCCEEDED');
    expect(countsOf(done)).toMatchObject({ succeeded: 30, failed: 0, pending: 0, running: 0 });
    expectExactlyOnce(world.sagemaker, 30);
    // Every event again, after the batch ended: nothing changes.
    for (const child of world.sagemaker.children) {
      expect(await deliver(world.deps, statusEvent(child, 'Succeeded'))).toBe('ended');
    }
    expect(countsOf(await batchOf(world.deps, batch.batchId))).toMatchObject({ succeeded: 30 });
    expect(await world.ledger.accountSlots()).toEqual({});
  });

  it('ignores another execution that copies a child description', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, { items: ['a'] });
    const [child] = runningChildren(world.sagemaker) as [FakeChild];
    const impostor = { ...child, arn: child.arn.replace(/\d+$/, '999999999999') };
    expect(await deliver(world.deps, statusEvent(impostor, 'Failed'))).toBe('ignored');
    const other = { ...child, arn: child.arn.replace('child-pipeline-1', 'child-pipeline-2') };
    expect(await deliver(world.deps, statusEvent(other, 'Failed'))).toBe('ignored');
    expect(countsOf(await batchOf(world.deps, batch.batchId))).toMatchObject({
      running: 1,
      failed: 0,
    });
  });

  it('records a failed child with the failure reason SageMaker gives', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, { items: ['a', 'b'] });
    const [first, second] = runningChildren(world.sagemaker) as [FakeChild, FakeChild];
    await deliver(world.deps, world.sagemaker.end(first, 'Failed'));
    await deliver(world.deps, world.sagemaker.end(second, 'Stopped'));
    const done = await batchOf(world.deps, batch.batchId);
    expect(done.status).toBe('FAILED');
    expect(countsOf(done)).toMatchObject({ failed: 1, stopped: 1, succeeded: 0 });
    const failed = await world.ledger.listExecutions(batch.batchId, { status: 'FAILED', limit: 5 });
    expect(failed.records[0]).toMatchObject({
      executionArn: first.arn,
      failureReason: `Step Train failed for ${first.arn}`,
    });
  });
});
