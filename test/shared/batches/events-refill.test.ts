import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  batchOfChange,
  childStatusChangeOf,
  type EndedChild,
  refillEnded,
  settleEnded,
} from '../../../shared/batches/events';
import type { BatchLedger } from '../../../shared/batches/ledger';
import { submit } from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { newBatchWorld } from '../../support/batches/harness';

describe('refilling once for many ended children', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('records ten ended children, settles them in one write and claims their ten successors in one', async () => {
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
    };
    const deps = world.depsWith({ ledger });
    const { batch } = await submit(deps, {
      items: Array.from({ length: 30 }, (_, i) => i),
      maxConcurrentExecutions: 10,
    });
    expect(claims).toEqual([10]);
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
    expect(claims).toEqual([10]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 0 });
    expect(new Set(changes.map(batchOfChange))).toEqual(new Set([batch.batchId]));
    const batches = await settleEnded(deps, ended);
    expect(batches).toEqual(new Set([batch.batchId]));
    expect(settled).toEqual([]);
    expect(await deps.ledger.accountSlots()).toEqual({});
    await refillEnded(deps, batches);
    expect(claims).toEqual([10, 10]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 10, cursor: 20 });
    // The same children again (a redelivered message): settled one by one, counted once.
    await settleEnded(deps, ended.slice(0, 3));
    expect(settled).toHaveLength(3);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 10 });
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
    await settleEnded(world.deps, ended);
    const failing = world.depsWith({
      ledger: {
        ...world.ledger,
        getBatch: async (batchId) => {
          if (batchId === 'broken000000') throw new Error('unreachable');
          return world.ledger.getBatch(batchId);
        },
      },
    });
    await refillEnded(failing, ['broken000000', batch.batchId]);
    expect(world.sagemaker.children).toHaveLength(2);
  });
});
