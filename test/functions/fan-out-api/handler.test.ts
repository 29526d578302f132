import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/fan-out-api/handler';
import { batchIdOf } from '../../../shared/fan-out/identity';
import { fanOutTestConfig, type HttpResponse } from '../../support/fan-out/handler-config';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import {
  type FakeSageMaker,
  throttling,
  useFakeSageMaker,
} from '../../support/sagemaker/fake-sagemaker';

const handler = createHandler(fanOutTestConfig());

const invoke = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> =>
  (await handler(event, lambdaContext())) as HttpResponse;

const post = (body: unknown, headers: Record<string, string | undefined> = {}) => {
  const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  event.headers = { ...event.headers, ...headers } as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete event.headers[name];
  }
  return event;
};

const get = (batchId: string, pipelines?: string) => {
  const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-get');
  event.pathParameters = { batchId };
  event.queryStringParameters = pipelines === undefined ? undefined : { pipelines };
  return event;
};

const json = (response: HttpResponse) => JSON.parse(response.body) as Record<string, unknown>;

const request = { pipelines: ['child-pipeline-1', 'child-pipeline-2'], items: ['a', 'b', 'c'] };

describe('fan-out-api handler', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
  });

  describe('POST /fan-outs', () => {
    it('answers 200 with every execution when all are started (events/fan-out-api-post.json)', async () => {
      const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
      const response = await invoke(event);
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/json');
      expect(response.headers?.['idempotency-key']).toBe(event.headers['idempotency-key']);
      const body = json(response);
      expect(body).toMatchObject({
        batchId: batchIdOf(event.headers['idempotency-key'] as string),
        requested: 6,
        started: 6,
        deferred: 0,
        failed: [],
      });
      expect(body.executions).toHaveLength(6);
    });

    it('answers 400 naming the Idempotency-Key header when none is sent, and starts nothing', async () => {
      for (const body of [request, { ...request, batchKey: 'in-the-body' }]) {
        const response = await invoke(post(body, { 'idempotency-key': undefined }));
        expect(response.statusCode).toBe(400);
        expect(response.headers?.['content-type']).toBe('application/problem+json');
        expect(json(response)).toMatchObject({
          type: 'urn:sagemaker-pipeline-lambdas:problem:invalid-request',
          errors: [
            { field: 'Idempotency-Key', problem: expect.stringMatching(/^header required/) },
          ],
        });
      }
      expect(fake.startInputs).toHaveLength(0);
    });

    it('names the missing header together with the problems of the body', async () => {
      const response = await invoke(
        post({ ...request, items: [] }, { 'idempotency-key': undefined }),
      );
      expect(response.statusCode).toBe(400);
      expect((json(response).errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
        'Idempotency-Key',
        'items',
      ]);
    });

    it('re-sent with the same Idempotency-Key, starts nothing new', async () => {
      const first = await invoke(post(request, { 'idempotency-key': 'k-resend' }));
      const again = await invoke(post(request, { 'idempotency-key': 'k-resend' }));
      expect(json(again).executions).toEqual(json(first).executions);
      expect(fake.executions).toHaveLength(6);
    });

    it('answers 202 with Retry-After when some executions are deferred', async () => {
      fake.quota = 2;
      const response = await invoke(post(request));
      expect(response.statusCode).toBe(202);
      expect(response.headers?.['retry-after']).toBeDefined();
      expect(json(response)).toMatchObject({ started: 2, deferred: 4 });
      expect(json(response).message).toMatch(
        /Re-send the same request with the same Idempotency-Key/,
      );
    });

    it('answers 207 listing the failed executions when some failed', async () => {
      fake.pipelines = new Set(['child-pipeline-1']);
      const response = await invoke(post(request));
      expect(response.statusCode).toBe(207);
      const body = json(response);
      expect(body.started).toBe(3);
      expect(body.failed).toEqual(
        [0, 1, 2].map((index) => ({
          pipeline: 'child-pipeline-2',
          index,
          error: expect.objectContaining({ name: 'ResourceNotFound' }),
        })),
      );
    });

    it('answers 200 with the plan and calls nothing on a dry run', async () => {
      const response = await invoke(post({ ...request, dryRun: true }));
      expect(response.statusCode).toBe(200);
      expect(json(response).plan).toHaveLength(6);
      expect(fake.startInputs).toHaveLength(0);
    });

    it('answers 400 problem+json listing every problem of an invalid request', async () => {
      const response = await invoke(
        post({
          pipelines: ['bad_name'],
          items: [],
          maxConcurrency: 500,
          parameters: { X: '{{nope}}' },
        }),
      );
      expect(response.statusCode).toBe(400);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      const problem = json(response);
      expect(problem).toMatchObject({ status: 400, title: 'Invalid request' });
      expect((problem.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
        expect.arrayContaining(['pipelines[0]', 'items', 'maxConcurrency']),
      );
      expect(fake.startInputs).toHaveLength(0);
    });

    it('answers 400 for a body that is not JSON, not UTF-8 or not an object', async () => {
      const notJson = await invoke(post('{"pipelines": ['));
      expect(notJson.statusCode).toBe(400);
      expect(json(notJson).detail).toMatch(/not valid JSON/);

      const notUtf8 = post('');
      notUtf8.body = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');
      notUtf8.isBase64Encoded = true;
      expect(json(await invoke(notUtf8)).detail).toMatch(/not valid UTF-8/);

      const array = await invoke(post([1, 2]));
      expect(array.statusCode).toBe(400);
      expect(json(array).detail).toMatch(/expected a JSON object/);
    });

    it('answers 400 when the Idempotency-Key header and the body batchKey disagree', async () => {
      const response = await invoke(
        post({ ...request, batchKey: 'other' }, { 'idempotency-key': 'k1' }),
      );
      expect(response.statusCode).toBe(400);
      expect(json(response).detail).toMatch(/batchKey: differs from the Idempotency-Key header/);
    });

    it('answers 413 for a body over 1 MB', async () => {
      const response = await invoke(post({ ...request, padding: 'x'.repeat(1_048_576) }));
      expect(response.statusCode).toBe(413);
      expect(json(response)).toMatchObject({ status: 413, title: 'Content Too Large' });
    });

    it('answers 415 for a content type other than JSON, and accepts JSON with a charset', async () => {
      expect((await invoke(post(request, { 'content-type': 'text/plain' }))).statusCode).toBe(415);
      expect((await invoke(post(request, { 'content-type': undefined }))).statusCode).toBe(415);
      expect(
        (await invoke(post(request, { 'content-type': 'application/json; charset=utf-8' })))
          .statusCode,
      ).toBe(200);
    });

    it('answers 403 for a pipeline outside the allow-list, starting nothing', async () => {
      const response = await invoke(
        post({ ...request, pipelines: ['child-pipeline-1', 'prod-train'] }),
      );
      expect(response.statusCode).toBe(403);
      expect(json(response).detail).toMatch(/"prod-train" not allowed/);
      expect(fake.startInputs).toHaveLength(0);
    });
  });

  describe('GET /fan-outs/{batchId}', () => {
    it('lists the batch executions of each pipeline across pages, with counts per status', async () => {
      const items = Array.from({ length: 150 }, (_, i) => `item-${i}`);
      const started = await invoke(
        post({ pipelines: ['child-pipeline-1'], items }, { 'idempotency-key': 'g1' }),
      );
      expect(started.statusCode).toBe(200);
      // Another batch in the same pipeline must not be counted.
      await invoke(
        post({ pipelines: ['child-pipeline-1'], items: ['z'] }, { 'idempotency-key': 'g2' }),
      );
      for (const execution of fake.executions.slice(0, 10)) execution.status = 'Succeeded';
      fake.listCalls = 0;

      const response = await invoke(get(batchIdOf('g1'), 'child-pipeline-1,child-pipeline-2'));
      expect(response.statusCode).toBe(200);
      const body = json(response) as {
        counts: Record<string, number>;
        pipelines: Array<{
          pipeline: string;
          executions: Array<{ index: number }>;
          complete: boolean;
        }>;
      };
      expect(body.counts).toEqual({
        Executing: 140,
        Succeeded: 10,
        Failed: 0,
        Stopping: 0,
        Stopped: 0,
      });
      expect(body.pipelines[0]?.executions.map((e) => e.index)).toEqual(items.map((_, i) => i));
      expect(body.pipelines[0]?.complete).toBe(true);
      expect(body).not.toHaveProperty('nextToken');
      expect(body.pipelines[1]?.executions).toEqual([]);
      expect(fake.listCalls).toBeGreaterThanOrEqual(3);
    });

    it('answers the fixture events/fan-out-api-get.json', async () => {
      const response = await invoke(loadEvent<APIGatewayProxyEventV2>('fan-out-api-get'));
      expect(response.statusCode).toBe(200);
      expect(json(response)).toMatchObject({ batchId: '5d41402abc4b' });
    });

    it('answers 400 for a malformed batch id or a missing pipelines query', async () => {
      expect((await invoke(get('NOT-A-BATCH', 'child-pipeline-1'))).statusCode).toBe(400);
      const missing = await invoke(get(batchIdOf('g1')));
      expect(missing.statusCode).toBe(400);
      expect(json(missing).detail).toMatch(/\?pipelines=a,b/);
    });

    it('answers 403 for a pipeline outside the allow-list', async () => {
      expect((await invoke(get(batchIdOf('g1'), 'prod-train'))).statusCode).toBe(403);
    });

    it('answers 404 for a pipeline that does not exist', async () => {
      fake.pipelines = new Set(['child-pipeline-1']);
      const response = await invoke(get(batchIdOf('g1'), 'child-pipeline-2'));
      expect(response.statusCode).toBe(404);
      expect(json(response).detail).toMatch(/"child-pipeline-2" does not exist/);
    });

    it('answers 503 when SageMaker keeps throttling the listing', async () => {
      fake.listFault = throttling();
      const response = await invoke(get(batchIdOf('g1'), 'child-pipeline-1'));
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBeDefined();
    });

    it('answers 500 without internals or a stack when something unexpected fails', async () => {
      fake.listFault = new TypeError(
        'Cannot read properties of undefined (reading secretInternalField)',
      );
      const response = await invoke(get(batchIdOf('g1'), 'child-pipeline-1'));
      expect(response.statusCode).toBe(500);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(response.body).not.toMatch(/secretInternalField|TypeError|at .*\.ts/);
      expect(json(response)).toMatchObject({
        status: 500,
        requestId: lambdaContext().awsRequestId,
      });
    });
  });

  it('answers 404 problem+json for a route it does not serve', async () => {
    const event = get(batchIdOf('g1'), 'child-pipeline-1');
    event.routeKey = 'DELETE /fan-outs/{batchId}';
    const response = await invoke(event);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});
