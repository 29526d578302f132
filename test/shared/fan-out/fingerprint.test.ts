import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createStepHandler } from '../../../functions/fan-out/handler';
import { createHandler as createApiHandler } from '../../../functions/fan-out-api/handler';
import { createHandler as createScheduleHandler } from '../../../functions/fan-out-schedule/handler';
import { configFromEnvironment } from '../../../shared/config';
import { descriptionOf, parseDescription } from '../../../shared/fan-out/description';
import { BatchKeyReusedError } from '../../../shared/fan-out/errors';
import {
  type FingerprintInput,
  fingerprintDifferences,
  fingerprintOf,
} from '../../../shared/fan-out/fingerprint';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { runFanOut } from '../../../shared/fan-out/runner';
import { sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import { MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH } from '../../../shared/limits';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import {
  type FakeSageMaker,
  instantSleep,
  useFakeSageMaker,
} from '../../support/sagemaker/fake-sagemaker';

const base: FingerprintInput = {
  pipelines: ['child-a', 'child-b'],
  items: ['a', { x: 1, y: [2, 3] }],
  parameters: { Item: '{{item}}' },
  displayNamePrefix: 'run',
  maxParallelExecutionSteps: undefined,
};

describe('fingerprintOf', () => {
  it('is the same for the same request however it is spelled', () => {
    const same = fingerprintOf({
      ...base,
      pipelines: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/Child-B', 'child-a'],
      items: ['a', { y: [2, 3], x: 1 }],
    });
    expect(fingerprintDifferences(fingerprintOf(base), same)).toEqual([]);
  });

  it('names every part that differs', () => {
    const expected = fingerprintOf(base);
    const cases: Array<[Partial<FingerprintInput>, string[]]> = [
      [{ pipelines: ['child-a'] }, ['pipelines']],
      [{ items: ['a', { x: 1, y: [3, 2] }] }, ['items']],
      [{ items: [{ x: 1, y: [2, 3] }, 'a'] }, ['items']],
      [{ parameters: { Item: '{{item}}-' } }, ['parameters']],
      [{ displayNamePrefix: 'other' }, ['displayNamePrefix']],
      [{ maxParallelExecutionSteps: 2 }, ['options']],
      [{ items: ['b'], displayNamePrefix: 'x' }, ['items', 'displayNamePrefix']],
    ];
    for (const [change, parts] of cases) {
      expect(fingerprintDifferences(expected, fingerprintOf({ ...base, ...change }))).toEqual(
        parts,
      );
    }
  });
});

describe('execution description', () => {
  const record = {
    batchId: 'abcdef012345',
    index: 7,
    pipeline: 'child-a',
    createdAt: '2026-12-01T09:00:00.000Z',
    fingerprint: fingerprintOf(base),
    caller: 'arn:aws:iam::123456789012:user/alice',
  };

  it('round-trips the fingerprint, the creation time and the caller', () => {
    const parsed = parseDescription(descriptionOf(record));
    expect(parsed).toEqual({
      createdAt: new Date(record.createdAt),
      fingerprint: record.fingerprint,
      caller: record.caller,
    });
  });

  it("stays within SageMaker's 3,072 characters with the longest pipeline ARN and caller", () => {
    const long = {
      ...record,
      pipeline: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${'p'.repeat(2000)}`,
      caller: `"${'\u0001'.repeat(2047)}`,
    };
    const text = descriptionOf(long);
    expect(text.length).toBeLessThanOrEqual(MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH);
    expect(parseDescription(text).fingerprint).toEqual(record.fingerprint);
  });

  it('reads nothing from a description it did not write', () => {
    expect(parseDescription('a child run')).toEqual({});
    expect(parseDescription('{"fingerprint":{"items":"zz"}}')).toEqual({});
    expect(parseDescription(undefined)).toEqual({});
  });
});

const env = {
  FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
const batchKey = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/p1';

describe('a batch key re-sent with a different request (issue 14 reproduction)', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
    fake.quota = 2;
  });

  const run = (items: string[], more: Record<string, unknown> = {}) =>
    runFanOut(
      v.parse(fanOutRequestSchema, {
        pipelines: ['child-pipeline-1'],
        items,
        batchKey,
        ...more,
      }),
      {
        sagemaker: sageMakerPort(new SageMakerClient({ region: 'us-east-1' })),
        allowList: { kind: 'any' },
        remainingTimeMs: () => 600_000,
        sleep: instantSleep().sleep,
      },
    );

  it('quota 2, [a,b,c,d] then [d,c,b,a]: refused naming the items, no duplicates, nothing started', async () => {
    const first = await run(['a', 'b', 'c', 'd']);
    expect(first).toMatchObject({ started: 2, deferred: 2 });
    fake.finishAll();
    const calls = fake.startInputs.length;
    const again = run(['d', 'c', 'b', 'a']);
    await expect(again).rejects.toThrow(BatchKeyReusedError);
    await expect(again).rejects.toThrow(/its items differs\. Nothing was started/);
    expect(fake.startInputs.length).toBe(calls);
    expect(fake.executions.map((e) => e.parameters[0]?.Value)).toEqual(['a', 'b']);
    // The original request still resumes the batch.
    const resumed = await run(['a', 'b', 'c', 'd']);
    expect(resumed).toMatchObject({ started: 4, deferred: 0 });
    expect([...fake.countsByPair().values()].every((n) => n === 1)).toBe(true);
  });

  it('refuses new templates and a new prefix for the same key, naming both', async () => {
    await run(['a', 'b']);
    await expect(
      run(['a', 'b'], { parameters: { Item: 'x-{{item}}' }, displayNamePrefix: 'other' }),
    ).rejects.toThrow(/its parameters, displayNamePrefix differ\./);
    expect(fake.executions).toHaveLength(2);
  });

  it('answers 409 problem+json over HTTP', async () => {
    const handler = createApiHandler(configFromEnvironment(env));
    const post = (items: string[]) => {
      const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
      event.body = JSON.stringify({ pipelines: ['child-pipeline-1'], items });
      event.headers = { ...event.headers, 'idempotency-key': 'key-409' };
      return handler(event, lambdaContext()) as Promise<
        APIGatewayProxyStructuredResultV2 & { body: string }
      >;
    };
    expect((await post(['a', 'b', 'c', 'd'])).statusCode).toBe(202);
    fake.finishAll();
    const refused = await post(['d', 'c', 'b', 'a']);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({
      status: 409,
      type: 'urn:sagemaker-pipeline-lambdas:problem:batch-key-reused',
      detail: expect.stringContaining('its items differs'),
    });
    expect(fake.executions).toHaveLength(2);
  });

  it('fails the LambdaStep', async () => {
    const handler = createStepHandler(configFromEnvironment(env));
    const event = { pipelines: ['child-pipeline-1'], batchKey, items: ['a', 'b', 'c', 'd'] };
    await handler(event, lambdaContext());
    fake.finishAll();
    await expect(
      handler({ ...event, items: ['d', 'c', 'b', 'a'] }, lambdaContext()),
    ).rejects.toThrow(BatchKeyReusedError);
    expect(fake.executions).toHaveLength(2);
  });

  it('refuses a scheduled re-send without throwing, so Lambda does not retry it', async () => {
    const handler = createScheduleHandler(configFromEnvironment(env));
    const event = { pipelines: ['child-pipeline-1'], batchKey, items: ['a', 'b', 'c', 'd'] };
    await expect(handler(event, lambdaContext())).rejects.toThrow(/incomplete/);
    fake.finishAll();
    const result = await handler({ ...event, items: ['d', 'c', 'b', 'a'] }, lambdaContext());
    expect(result).toMatchObject({ refused: expect.stringContaining('its items differs') });
    expect(fake.executions).toHaveLength(2);
  });
});
