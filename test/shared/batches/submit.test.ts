import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { BatchConflictError } from '../../../shared/batches/errors';
import { PipelineNotAllowedError } from '../../../shared/fan-out/errors';
import { expectExactlyOnce, submit } from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { newBatchWorld } from '../../support/batches/harness';

describe('submitBatch', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  it('answers a repeat of the same request with the same batch and starts nothing more', async () => {
    const world = await newBatchWorld(client, { accountLimit: 2 });
    const first = await submit(world.deps, { items: ['a', 'b', 'c', 'd'] });
    const again = await submit(world.deps, { items: ['a', 'b', 'c', 'd'] });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.batch.batchId).toBe(first.batch.batchId);
    expect(world.sagemaker.children).toHaveLength(2);
  });

  it('refuses the same key with a different item order, naming the first differing item, and starts nothing', async () => {
    // The fan-out's reproduction: quota 2, [a,b,c,d] then [d,c,b,a] under the same key.
    const world = await newBatchWorld(client, { accountLimit: 2 });
    await submit(world.deps, { items: ['a', 'b', 'c', 'd'] });
    const error = await submit(world.deps, { items: ['d', 'c', 'b', 'a'] }).catch((e) => e);
    expect(error).toBeInstanceOf(BatchConflictError);
    expect(error.message).toMatch(/items differs, first at items\[0\]/);
    expect(world.sagemaker.children).toHaveLength(2);
    expectExactlyOnce(world.sagemaker, 2);
  });

  it('names every other field that differs', async () => {
    const world = await newBatchWorld(client);
    await submit(world.deps, { items: ['a'] });
    await expect(
      submit(world.deps, { items: ['a', 'b'], parameters: { Other: '{{item}}' } }),
    ).rejects.toThrow(/items differs \(1 stored, 2 sent\); parameters differs/);
  });

  it('refuses a pipeline outside the allow-list before writing anything', async () => {
    const world = await newBatchWorld(client);
    await expect(submit(world.deps, { pipelines: ['other-pipeline'] })).rejects.toThrow(
      PipelineNotAllowedError,
    );
    expect(await world.ledger.listActiveBatches()).toEqual({ records: [], nextToken: undefined });
  });

  it('answers concurrent submissions of one request with one batch', async () => {
    const world = await newBatchWorld(client);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => submit(world.depsWith(), { items: ['a', 'b'] })),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expectExactlyOnce(world.sagemaker, 2);
  });
});
