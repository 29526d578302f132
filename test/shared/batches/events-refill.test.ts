import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  batchOfChange,
  childStatusChangeOf,
  type EndedChild,
  refillEnded,
} from '../../../shared/batches/events';
import { type BatchLedger, claimHolder } from '../../../shared/batches/ledger';
import { reconcile } from '../../../shared/batches/reconcile';
import { batchOf, submit } from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { crashingLedger, newBatchWorld, RECOVERY_GRACE_MS } from '../../support/batches/harness';

describe('refilling once for many ended children', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('records ten ended children, then frees them and claims their ten successors, who take over their slots, in one write', async () => {
    const world = await newBatchWorld(client, { accountLimit: 10 });
    const claims: number[] = [];
    const settled: number[] = [];
    const ledger: BatchLedger = {
      ...world.ledger,
      claim: (input) => {
        claims.push(input.fromCursor);
        return world.ledger.claim(input);
      },
      settle: (batchId, pair, attempt, outcome) => {
        settled.push(pair);
        return world.ledger.settle(batchId, pair, attempt, outcome);
      },
      settleMany: (batchId, children) => {
        settled.push(...children.map(({ pair }) => pair));
        return world.ledger.settleMany(batchId, children);
      },
      accountSlots: () => {
        throw new Error('the account is read only when more slots are wanted than were freed');
      },
      exchangeAccountSlots: () => {
        throw new Error('successors that take over the ended pairs slots write no account record');
      },
    };
    const deps = world.depsWith({ ledger });
    const { batch } = await submit(world.deps, {
      items: Array.from({ length: 30 }, (_, i) => i),
      maxConcurrentExecutions: 10,
    });
    const first = Object.keys(await world.ledger.accountSlots()).sort();
    expect(first).toHaveLength(10);
    const changes = world.sagemaker.children.map((child) => {
      const change = childStatusChangeOf(world.sagemaker.end(child));
      if (change === undefined) throw new Error('not a status change');
      return change;
    });
    const ended: EndedChild[] = [];
    // Each event twice, as SageMaker may send it: the duplicates find the records ended.
    const outcomes = await Promise.all(
      [...changes, ...changes].map((change) => applyStatusChange(deps, change, { ended })),
    );
    expect(outcomes.filter((outcome) => outcome === 'ended').length).toBeGreaterThanOrEqual(10);
    expect(claims).toEqual([]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 0 });
    expect(new Set(changes.map(batchOfChange))).toEqual(new Set([batch.batchId]));
    await refillEnded(deps, ended);
    expect(claims).toEqual([10]);
    expect(settled).toEqual([]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 10, cursor: 20 });
    const second = Object.keys(await world.ledger.accountSlots()).sort();
    expect(second).toEqual(first);
    const running = (await batchOf(deps, batch.batchId)).running;
    expect(Object.keys(running).map(Number)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(
      Object.entries(running)
        .map(([pair, claim]) => claimHolder(batch.batchId, Number(pair), claim))
        .sort(),
    ).toEqual(first);
    expect(world.sagemaker.children).toHaveLength(20);
    // The same children again (a redelivered message): found settled, counted once.
    await refillEnded(deps, ended.slice(0, 3));
    expect(settled).toEqual([]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 10, cursor: 20 });
    expect(Object.keys(await world.ledger.accountSlots()).sort()).toEqual(second);
  });

  it('settles the ended children on their own when the batch starts nothing more', async () => {
    const world = await newBatchWorld(client, { accountLimit: 10 });
    const { batch } = await submit(world.deps, {
      items: ['a', 'b', 'c'],
      maxConcurrentExecutions: 3,
    });
    const ended: EndedChild[] = [];
    for (const child of world.sagemaker.children) {
      const change = childStatusChangeOf(world.sagemaker.end(child));
      if (change === undefined) throw new Error('not a status change');
      await applyStatusChange(world.deps, change, { ended });
    }
    await refillEnded(world.deps, ended);
    expect(await world.deps.ledger.getBatch(batch.batchId)).toMatchObject({
      status: 'SUCCEEDED',
      succeeded: 3,
    });
    expect(await world.ledger.accountSlots()).toEqual({});
  });

  it('records an end that comes before its start is recorded, as its function would have', async () => {
    const world = await newBatchWorld(client);
    // The function crashes once its start is answered, before the execution record is written.
    const crashing = world.depsWith({
      ledger: crashingLedger(world.ledger, 'createExecution', 'before'),
    });
    const { batch } = await submit(crashing, { items: ['a'] });
    const [child] = world.sagemaker.children;
    if (child === undefined) throw new Error('not started');
    const change = childStatusChangeOf(world.sagemaker.end(child));
    if (change === undefined) throw new Error('not a status change');
    // An execution of another pipeline copying the description ends nothing.
    const forged = {
      ...change,
      executionArn: change.executionArn.replace('child-pipeline-1', 'other'),
    };
    await expect(applyStatusChange(world.deps, forged)).resolves.toBe('stale');
    await expect(applyStatusChange(world.deps, change)).resolves.toBe('ended');
    expect(await world.deps.ledger.getExecution(batch.batchId, 0)).toMatchObject({
      status: 'SUCCEEDED',
      executionArn: child.arn,
    });
    expect(await world.deps.ledger.getBatch(batch.batchId)).toMatchObject({
      status: 'SUCCEEDED',
      succeeded: 1,
    });
    world.clock.advance(RECOVERY_GRACE_MS);
    await expect(reconcile(world.deps)).resolves.toMatchObject({ restarted: 0 });
    expect(world.sagemaker.children).toHaveLength(1);
  });

  it('logs a refill that fails and goes on with the other batches', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, { items: ['a', 'b'], maxConcurrentExecutions: 1 });
    const [first] = world.sagemaker.children;
    if (first === undefined) throw new Error('not started');
    const change = childStatusChangeOf(world.sagemaker.end(first));
    if (change === undefined) throw new Error('not a status change');
    const ended: EndedChild[] = [];
    await applyStatusChange(world.deps, change, { ended });
    const failing = world.depsWith({
      ledger: {
        ...world.ledger,
        getBatch: async (batchId) => {
          if (batchId === 'broken000000') throw new Error('unreachable');
          return world.ledger.getBatch(batchId);
        },
      },
    });
    const broken = { batchId: 'broken000000', pair: 0, attempt: 1, outcome: 'SUCCEEDED' } as const;
    await refillEnded(failing, [broken, ...ended]);
    expect(world.sagemaker.children).toHaveLength(2);
    expect(await world.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 1 });
  });
});
