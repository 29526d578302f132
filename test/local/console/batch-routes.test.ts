import { DescribePipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { localSageMakerClient } from '../../../local/client';
import { CHILDREN_PAGE_SIZE } from '../../../local/console/batch-reader';
import { BATCHES_OFF_MESSAGE } from '../../../local/console/batch-routes';
import type { BatchChildrenPage, BatchList } from '../../../local/console/ui/batch-types';
import { startLocalRuntime } from '../../../local/index';
import { rawRequest } from '../../support/local/raw-http';
import { fakeInvoker } from '../../support/local/runtime';
import { CHILDREN, startBatchWorld } from '../wiring/batch-world';

const get = async (url: string, path: string, host?: string) => {
  const { hostname, port } = new URL(url);
  const answer = await rawRequest({
    host: hostname,
    port,
    path,
    headers: host ? { host } : {},
  });
  const json = String(answer.headers['content-type']).startsWith('application/json');
  return { ...answer, body: json ? (JSON.parse(answer.text) as unknown) : answer.text };
};

describe('console batch routes (/_local/batches)', () => {
  it("lists the local ledger's batches, newest first, and a batch's children with their executions", async () => {
    const world = await startBatchWorld({ quota: 20, budget: 15 });
    const { url } = world.local;
    expect((await get(url, '/_local/batches')).body).toEqual({ batches: [] });

    const submitted = await world.submit([['a'], ['b'], ['c']], 'console-routes-1', 2);
    expect(submitted.status).toBe(201);
    const { batchId } = submitted.body;
    const done = await world.waitForBatch(batchId);
    expect(done).toMatchObject({ status: 'SUCCEEDED' });

    const list = await get(url, '/_local/batches');
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const { batches } = list.body as BatchList;
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({
      batchId,
      status: 'SUCCEEDED',
      counts: { total: 6, pending: 0, running: 0, succeeded: 6, failed: 0, stopped: 0 },
      maxConcurrentExecutions: 2,
      pipelineCount: 2,
      itemCount: 3,
    });
    expect(Date.parse(batches[0]?.createdAt ?? '')).not.toBeNaN();
    expect(Date.parse(batches[0]?.finishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(batches[0]?.createdAt ?? ''),
    );

    const children = await get(url, `/_local/batches/${batchId}/executions`);
    expect(children.status).toBe(200);
    const page = children.body as BatchChildrenPage;
    expect(page.batch).toEqual(batches[0]);
    expect(page.nextToken).toBeUndefined();
    expect(page.executions.map((c) => `${c.pipeline}#${c.index}`).sort()).toEqual(
      CHILDREN.flatMap((pipeline) => [0, 1, 2].map((index) => `${pipeline}#${index}`)).sort(),
    );
    const client = localSageMakerClient(url);
    try {
      for (const child of page.executions) {
        expect(child).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
        const described = await client.send(
          new DescribePipelineExecutionCommand({ PipelineExecutionArn: child.executionArn }),
        );
        expect(described.PipelineArn).toMatch(new RegExp(`:pipeline/${child.pipeline}$`));
        expect(described.PipelineExecutionStatus).toBe('Succeeded');
      }
    } finally {
      client.destroy();
    }

    const second = await world.submit([['d']], 'console-routes-2', 1);
    await world.waitForBatch(second.body.batchId);
    const both = (await get(url, '/_local/batches')).body as BatchList;
    expect(both.batches.map((b) => b.batchId)).toEqual([second.body.batchId, batchId]);
  }, 60_000);

  it("pages a batch's children 100 at a time, each child once", async () => {
    const world = await startBatchWorld({ quota: 20, budget: 15 });
    const items = Array.from({ length: 60 }, (_, index) => [`item-${index}`]);
    const submitted = await world.submit(items, 'console-routes-paging', 20);
    const { batchId } = submitted.body;
    expect(await world.waitForBatch(batchId, 60_000)).toMatchObject({ status: 'SUCCEEDED' });
    const path = `/_local/batches/${batchId}/executions`;
    const first = (await get(world.local.url, path)).body as BatchChildrenPage;
    expect(first.executions).toHaveLength(CHILDREN_PAGE_SIZE);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = (
      await get(world.local.url, `${path}?nextToken=${encodeURIComponent(first.nextToken ?? '')}`)
    ).body as BatchChildrenPage;
    expect(second.executions).toHaveLength(20);
    expect(second.nextToken).toBeUndefined();
    const pairs = [...first.executions, ...second.executions].map(
      (c) => `${c.pipeline}#${c.index}`,
    );
    expect(new Set(pairs).size).toBe(120);
    expect(second.batch.counts).toMatchObject({ total: 120, succeeded: 120 });
  }, 90_000);

  it('answers 404 for an unknown batch, 400 for a malformed id or token, 403 to another Host', async () => {
    const world = await startBatchWorld({ quota: 20, budget: 15 });
    const { url } = world.local;
    const unknown = await get(url, '/_local/batches/0123456789ab/executions');
    expect(unknown).toMatchObject({ status: 404, body: { message: 'No batch 0123456789ab.' } });
    const malformed = await get(url, '/_local/batches/NOT-AN-ID/executions');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      message: 'batchId: expected 12 lowercase hex digits, received "NOT-AN-ID"',
    });
    const submitted = await world.submit(['a'], 'console-routes-3', 1);
    const token = await get(
      url,
      `/_local/batches/${submitted.body.batchId}/executions?nextToken=bm90LWEtdG9rZW4`,
    );
    expect(token).toMatchObject({
      status: 400,
      body: { message: 'nextToken: is not a token a previous page of this listing returned' },
    });
    expect((await get(url, '/_local/batches', 'evil.example:80')).status).toBe(403);
    // An item the children cannot read (not a JSON array): both fail, with SageMaker's reason.
    expect(await world.waitForBatch(submitted.body.batchId)).toMatchObject({
      status: 'FAILED',
      counts: { total: 2, failed: 2 },
    });
    const failed = (await get(url, `/_local/batches/${submitted.body.batchId}/executions`))
      .body as BatchChildrenPage;
    expect(failed.executions).toHaveLength(2);
    const client = localSageMakerClient(url);
    try {
      for (const child of failed.executions) {
        expect(child.status).toBe('FAILED');
        const described = await client.send(
          new DescribePipelineExecutionCommand({ PipelineExecutionArn: child.executionArn }),
        );
        expect(described.FailureReason).toBeTruthy();
        expect(child.failureReason).toBe(described.FailureReason);
      }
    } finally {
      client.destroy();
    }
  }, 60_000);

  it('answers 503, saying batches are not running locally, when the runtime has no services', async () => {
    const local = await startLocalRuntime({ invoker: fakeInvoker({}), services: false });
    try {
      for (const path of ['/_local/batches', '/_local/batches/0123456789ab/executions']) {
        const answer = await get(local.url, path);
        expect(answer).toMatchObject({ status: 503, body: { message: BATCHES_OFF_MESSAGE } });
      }
      expect(BATCHES_OFF_MESSAGE).toMatch(/^Batches are not running locally/);
    } finally {
      await local.close();
    }
  });
});
