import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStatusChange,
  batchOfChange,
  childStatusChangeOf,
  refillEnded,
} from '../../../shared/batches/events';
import type { BatchLedger } from '../../../shared/batches/ledger';
import { submit } from '../../batches/support/drive';
import { startDynalite } from '../../batches/support/dynalite';
import { newBatchWorld } from '../../batches/support/harness';
import { localDynamoDb } from '../../batches/support/table';

describe('refilling once for many ended children', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = localDynamoDb(dynalite.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await dynalite?.stop();
  });

  it('records ten ended children without claiming, then claims their ten successors in one write', async () => {
    const world = await newBatchWorld(client, { accountLimit: 10 });
    const claims: number[] = [];
    const ledger: BatchLedger = {
      ...world.ledger,
      claim: (input) => {
        claims.push(input.fromCursor);
        return world.ledger.claim(input);
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
    const outcomes = await Promise.all(
      changes.map((change) => applyStatusChange(deps, change, { refill: false })),
    );
    expect(outcomes).toEqual(Array(10).fill('ended'));
    expect(claims).toEqual([10]);
    expect(new Set(changes.map(batchOfChange))).toEqual(new Set([batch.batchId]));
    await refillEnded(deps, new Set(changes.map((change) => batchOfChange(change) ?? '')));
    expect(claims).toEqual([10, 10]);
    expect(await deps.ledger.getBatch(batch.batchId)).toMatchObject({ succeeded: 10, cursor: 20 });
  });

  it('logs a refill that fails and goes on with the other batches', async () => {
    const world = await newBatchWorld(client);
    const { batch } = await submit(world.deps, { items: ['a', 'b'], maxConcurrentExecutions: 1 });
    const [first] = world.sagemaker.children;
    if (first === undefined) throw new Error('not started');
    const change = childStatusChangeOf(world.sagemaker.end(first));
    if (change === undefined) throw new Error('not a status change');
    await applyStatusChange(world.deps, change, { refill: false });
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
