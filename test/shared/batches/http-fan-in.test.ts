import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { routeBatchRequest } from '../../../shared/batches/http';
import { batchIdOf } from '../../../shared/batches/identity';
import { deliver, runningChildren, submit } from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { newFanInWorld } from '../../support/batches/fan-in';

const route = (routeKey: string, batchId: string) =>
  ({ routeKey, pathParameters: { batchId }, headers: {} }) as unknown as APIGatewayProxyEventV2;

const body = (response: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(String(response.body)) as Record<string, unknown>;

describe('batch routes: redrive, stop, results', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  const world = () => newFanInWorld(client);

  it('redrives only failed and stopped children, refuses while running, and links the results', async () => {
    const w = await world();
    await submit(w.deps, { items: ['a', 'b', 'c'], toleratedFailurePercentage: 100 });
    const batchId = batchIdOf('key-1');
    await expect(
      routeBatchRequest(route('POST /batches/{batchId}/redrive', batchId), w.deps),
    ).rejects.toMatchObject({ status: 409 });
    const [a, b, c] = runningChildren(w.sagemaker);
    if (!a || !b || !c) throw new Error('expected three children');
    await deliver(w.deps, w.sagemaker.end(a, 'Failed'));
    await deliver(w.deps, w.sagemaker.end(b, 'Stopped'));
    await deliver(w.deps, w.sagemaker.end(c, 'Succeeded'));
    const got = body(await routeBatchRequest(route('GET /batches/{batchId}', batchId), w.deps));
    expect(got).toMatchObject({
      status: 'SUCCEEDED',
      resultsUri: `s3://results-bucket/batch-results/${batchId}/results.jsonl`,
      toleratedFailurePercentage: 100,
    });
    const redrive = await routeBatchRequest(
      route('POST /batches/{batchId}/redrive', batchId),
      w.deps,
    );
    expect(redrive.statusCode).toBe(202);
    expect(body(redrive)).toMatchObject({ redriven: 0, status: 'SUCCEEDED' });
  });

  it('redrives a failed batch: new tokens for the failed ones, succeeded ones untouched', async () => {
    const w = await world();
    await submit(w.deps, { items: ['a', 'b', 'c'] });
    const batchId = batchIdOf('key-1');
    const [a, b, c] = runningChildren(w.sagemaker);
    if (!a || !b || !c) throw new Error('expected three children');
    await deliver(w.deps, w.sagemaker.end(a, 'Failed'));
    await deliver(w.deps, w.sagemaker.end(b, 'Stopped'));
    await deliver(w.deps, w.sagemaker.end(c, 'Succeeded'));
    const response = await routeBatchRequest(
      route('POST /batches/{batchId}/redrive', batchId),
      w.deps,
    );
    expect(body(response)).toMatchObject({ status: 'RUNNING', redriven: 2 });
    const again = runningChildren(w.sagemaker);
    expect(again.map((child) => child.displayName).sort()).toEqual(
      [a.displayName, b.displayName].sort(),
    );
    expect(again.map((child) => child.token)).not.toContain(a.token);
    for (const child of again) await deliver(w.deps, w.sagemaker.end(child));
    const got = body(await routeBatchRequest(route('GET /batches/{batchId}', batchId), w.deps));
    expect(got).toMatchObject({
      status: 'SUCCEEDED',
      counts: { total: 3, succeeded: 3, failed: 0, stopped: 0, pending: 0, running: 0 },
    });
    expect(w.sagemaker.children).toHaveLength(5);
  });

  it('stops a batch: nothing more starts, running children are asked to stop, it ends STOPPED', async () => {
    const w = await world();
    await submit(w.deps, { items: ['a', 'b', 'c', 'd'], maxConcurrentExecutions: 2 });
    const batchId = batchIdOf('key-1');
    const stop = await routeBatchRequest(route('POST /batches/{batchId}/stop', batchId), w.deps);
    expect(stop.statusCode).toBe(202);
    expect(body(stop)).toMatchObject({ status: 'STOPPING' });
    expect(w.parent.stopRequests).toHaveLength(2);
    for (const child of runningChildren(w.sagemaker)) {
      await deliver(w.deps, w.sagemaker.end(child, 'Stopped'));
    }
    const got = body(await routeBatchRequest(route('GET /batches/{batchId}', batchId), w.deps));
    expect(got).toMatchObject({ status: 'STOPPED', counts: { pending: 2, stopped: 2 } });
    expect(w.sagemaker.children).toHaveLength(2);
    await expect(
      routeBatchRequest(route('POST /batches/{batchId}/stop', 'ffffffffffff'), w.deps),
    ).rejects.toMatchObject({ status: 404 });
  });
});
