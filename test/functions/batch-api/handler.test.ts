import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { batchIdOf } from '../../../shared/batches/identity';
import { type DynamoDbServer, useDynamoDb } from '../../support/batches/dynalite';
import { statusEvent } from '../../support/batches/fake-sagemaker';
import { handlerWorld } from '../../support/batches/handler-world';
import '../../support/batches/module-env';
import { lambdaContext } from '../../support/lambda/events';

const { createHandler } = await import('../../../functions/batch-api/handler');
const { createHandler: createEventsHandler } = await import(
  '../../../functions/batch-events/handler'
);

type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const httpEvent = (
  routeKey: string,
  overrides: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/batches',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/batches',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'r',
      routeKey,
      stage: '$default',
      time: '01/Dec/2026:10:00:00 +0000',
      timeEpoch: 0,
      authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/alice' } },
    },
    isBase64Encoded: false,
    ...overrides,
  }) as APIGatewayProxyEventV2;

const post = (body: unknown, key: string | null = 'key-1') =>
  httpEvent('POST /batches', {
    body: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { 'Idempotency-Key': key }),
    },
  });

const json = (response: Response) => JSON.parse(response.body) as Record<string, unknown>;

describe('batch-api handler', () => {
  let dynalite: DynamoDbServer;
  useDynamoDb((_, server) => {
    dynalite = server;
  });

  const setup = async () => {
    const world = await handlerWorld(dynalite.endpoint, { BATCH_ACCOUNT_CONCURRENCY_LIMIT: '3' });
    const handler = createHandler(world.config);
    const invoke = async (event: APIGatewayProxyEventV2) =>
      (await handler(event, lambdaContext())) as Response;
    return { ...world, invoke };
  };

  it('answers 201 for a new batch, 200 for a repeat and 409 naming what differs for another request', async () => {
    const { invoke, sagemaker } = await setup();
    const request = { pipelines: ['child-pipeline-1'], items: ['a', 'b', 'c', 'd'] };
    const created = await invoke(post(request));
    expect(created.statusCode).toBe(201);
    expect(created.headers?.location).toBe(`/batches/${batchIdOf('key-1')}`);
    expect(json(created)).toEqual({
      batchId: batchIdOf('key-1'),
      status: 'RUNNING',
      counts: { total: 4, pending: 1, running: 3, succeeded: 0, failed: 0, stopped: 0 },
    });
    const repeat = await invoke(post(request));
    expect(repeat.statusCode).toBe(200);
    expect(json(repeat).batchId).toBe(batchIdOf('key-1'));
    const conflict = await invoke(post({ ...request, items: ['d', 'c', 'b', 'a'] }));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.headers?.['content-type']).toBe('application/problem+json');
    expect(json(conflict).detail).toMatch(/items differs, first at items\[0\]/);
    expect(sagemaker.children).toHaveLength(3);
  });

  it('requires the Idempotency-Key header, naming it', async () => {
    const { invoke } = await setup();
    const response = await invoke(post({ pipelines: ['child-pipeline-1'], items: ['a'] }, null));
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(json(response).errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  });

  it('validates the body as the fan-out does, naming each field', async () => {
    const { invoke } = await setup();
    const response = await invoke(
      post({ pipelines: [], items: ['a'], maxConcurrentExecutions: 0 }),
    );
    expect(response.statusCode).toBe(400);
    expect((json(response).errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'pipelines',
      'maxConcurrentExecutions',
    ]);
  });

  it('refuses a pipeline outside the allow-list with 403', async () => {
    const { invoke } = await setup();
    const response = await invoke(post({ pipelines: ['elsewhere'], items: ['a'] }));
    expect(response.statusCode).toBe(403);
  });

  it('reports a batch from one read and pages its children by status', async () => {
    const { invoke, sagemaker, config } = await setup();
    await invoke(
      // One failure tolerated: the batch goes on after it (none tolerated would stop it).
      post(
        {
          pipelines: ['child-pipeline-1', 'child-pipeline-2'],
          items: ['a', 'b'],
          toleratedFailureCount: 1,
        },
        'k2',
      ),
    );
    const batchId = batchIdOf('k2');
    const events = createEventsHandler(config);
    const [first] = sagemaker.children;
    if (first === undefined) throw new Error('nothing started');
    sagemaker.end(first, 'Failed');
    await events(
      {
        Records: [
          {
            messageId: 'm1',
            receiptHandle: 'r',
            body: JSON.stringify(statusEvent(first, 'Failed')),
            attributes: {} as never,
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
            awsRegion: 'us-east-1',
          },
        ],
      },
      lambdaContext(),
    );
    const status = await invoke(
      httpEvent('GET /batches/{batchId}', { pathParameters: { batchId } }),
    );
    expect(status.statusCode).toBe(200);
    expect(json(status)).toMatchObject({
      batchId,
      status: 'RUNNING',
      counts: { total: 4, running: 3, failed: 1, pending: 0 },
      createdBy: 'arn:aws:iam::123456789012:user/alice',
    });
    const failed = await invoke(
      httpEvent('GET /batches/{batchId}/executions', {
        pathParameters: { batchId },
        queryStringParameters: { status: 'FAILED' },
      }),
    );
    expect(json(failed)).toEqual({
      batchId,
      executions: [
        {
          pipeline: 'child-pipeline-1',
          index: 0,
          status: 'FAILED',
          attempt: 1,
          executionArn: first.arn,
          failureReason: `Step Train failed for ${first.arn}`,
        },
      ],
    });
    const all = await invoke(
      httpEvent('GET /batches/{batchId}/executions', { pathParameters: { batchId } }),
    );
    expect((json(all).executions as unknown[]).length).toBe(4);
  });

  it('answers 404 for an unknown batch and 400 for a bad id, status or page token', async () => {
    const { invoke } = await setup();
    const missing = await invoke(
      httpEvent('GET /batches/{batchId}', { pathParameters: { batchId: 'abcdefabcdef' } }),
    );
    expect(missing.statusCode).toBe(404);
    const badId = await invoke(
      httpEvent('GET /batches/{batchId}', { pathParameters: { batchId: 'x' } }),
    );
    expect(json(badId).errors).toEqual([expect.objectContaining({ field: 'batchId' })]);
    await invoke(post({ pipelines: ['child-pipeline-1'], items: ['a'] }, 'k3'));
    const batchId = batchIdOf('k3');
    const badStatus = await invoke(
      httpEvent('GET /batches/{batchId}/executions', {
        pathParameters: { batchId },
        queryStringParameters: { status: 'DONE' },
      }),
    );
    expect(json(badStatus).errors).toEqual([expect.objectContaining({ field: 'status' })]);
    const badToken = await invoke(
      httpEvent('GET /batches/{batchId}/executions', {
        pathParameters: { batchId },
        queryStringParameters: { nextToken: 'garbage' },
      }),
    );
    expect(badToken.statusCode).toBe(400);
    expect(json(badToken).errors).toEqual([expect.objectContaining({ field: 'nextToken' })]);
  });
});
