import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { routeBatchRequest } from '../../../shared/batches/http';
import { SourceAccessError } from '../../../shared/batches/sources/errors';
import type { ObjectSource } from '../../../shared/batches/sources/port';
import { InputValidationError } from '../../../shared/errors';
import { HttpProblemError } from '../../../shared/http/problem-details';
import { useDynamoDb } from '../../support/batches/dynalite';
import { newBatchWorld } from '../../support/batches/harness';
import { MemorySource } from './sources/support/memory-source';

const post = (body: unknown, key = 'key-1') =>
  ({
    version: '2.0',
    routeKey: 'POST /batches',
    rawPath: '/batches',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    requestContext: { http: { method: 'POST', path: '/batches' }, requestId: 'r' },
    isBase64Encoded: false,
    body: JSON.stringify(body),
  }) as unknown as APIGatewayProxyEventV2;

describe('POST /batches with itemsFrom', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  const world = async (objects: ObjectSource) => {
    const base = await newBatchWorld(client);
    return base.depsWith({ objects });
  };
  const memory = () => {
    const objects = new MemorySource();
    objects.put('items-bucket', 'a.jsonl', '"a"\n"b"\n');
    return objects;
  };
  const body = (itemsFrom: unknown, more: Record<string, unknown> = {}) => ({
    pipelines: ['child-pipeline-1'],
    itemsFrom,
    ...more,
  });

  it('answers 201 with the batch read from the source', async () => {
    const answer = await routeBatchRequest(
      post(body({ uri: 's3://items-bucket/a.jsonl' })),
      await world(memory()),
    );
    expect(answer.statusCode).toBe(201);
    expect(JSON.parse(answer.body ?? '')).toMatchObject({
      status: 'RUNNING',
      counts: { total: 2, running: 2 },
    });
  });

  it('refuses a source that does not exist as a bad request naming itemsFrom.uri', async () => {
    const error = await routeBatchRequest(
      post(body({ uri: 's3://items-bucket/missing.jsonl' })),
      await world(memory()),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).problems).toEqual([
      {
        field: 'itemsFrom.uri',
        problem: 'itemsFrom: s3://items-bucket/missing.jsonl does not exist',
      },
    ]);
  });

  it('answers 403 source-access-denied and 409 source-changed', async () => {
    const denied = memory();
    denied.headObject = async () => {
      throw new SourceAccessError('s3://items-bucket/a.jsonl');
    };
    const forbidden = await routeBatchRequest(
      post(body({ uri: 's3://items-bucket/a.jsonl' })),
      await world(denied),
    ).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(HttpProblemError);
    expect(forbidden).toMatchObject({
      status: 403,
      problemType: expect.stringMatching(/source-access-denied$/),
    });

    const changing = memory();
    changing.beforeGet = () => changing.put('items-bucket', 'a.jsonl', '"c"\n');
    const changed = await routeBatchRequest(
      post(body({ uri: 's3://items-bucket/a.jsonl' }), 'key-2'),
      await world(changing),
    ).catch((e: unknown) => e);
    expect(changed).toMatchObject({
      status: 409,
      problemType: expect.stringMatching(/source-changed$/),
    });
  });

  it('refuses items and itemsFrom together, naming both', async () => {
    const error = await routeBatchRequest(
      post(body({ uri: 's3://items-bucket/a.jsonl' }, { items: ['a'] })),
      await world(memory()),
    ).catch((e: unknown) => e);
    expect((error as InputValidationError).problems).toEqual([
      { field: 'items', problem: 'give items or itemsFrom, not both' },
    ]);
  });
});
