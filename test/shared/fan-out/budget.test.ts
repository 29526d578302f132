import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createApiHandler } from '../../../functions/fan-out-api/handler';
import { configFromEnvironment } from '../../../shared/config';
import { InputValidationError } from '../../../shared/errors';
import {
  inexactNumbers,
  MAX_PLACEHOLDER_RENDERINGS,
  MAX_RENDERED_BYTES,
} from '../../../shared/fan-out/budget';
import { declaredParameters } from '../../../shared/fan-out/declared-parameters';
import { PlanningTimeError } from '../../../shared/fan-out/errors';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { type FanOutDeps, runFanOut } from '../../../shared/fan-out/runner';
import { sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import {
  type FakeSageMaker,
  instantSleep,
  useFakeSageMaker,
} from '../../support/sagemaker/fake-sagemaker';

const request = (fields: Record<string, unknown>) =>
  v.parse(fanOutRequestSchema, {
    pipelines: ['child-pipeline-1', 'child-pipeline-2'],
    batchKey: 'budget-key',
    ...fields,
  });

const problemsOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputValidationError);
  return (error as InputValidationError).problems;
};

describe('bounded work', () => {
  let fake: FakeSageMaker;
  let deps: FanOutDeps;

  beforeEach(() => {
    fake = useFakeSageMaker();
    deps = {
      sagemaker: sageMakerPort(new SageMakerClient({ region: 'us-east-1' })),
      allowList: { kind: 'any' },
      remainingTimeMs: () => 600_000,
      sleep: instantSleep().sleep,
    };
  });

  it('refuses items × placeholders over the budget before rendering anything', async () => {
    // The 472 KB body: 10,000 items and 200 parameters.
    const parameters = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`P${i}`, '{{item}}']),
    );
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const started = performance.now();
    const problems = await problemsOf(runFanOut(request({ items, parameters }), deps));
    // Refused up front: no rendering, so far under the 9.6 s the issue measured.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(problems).toContainEqual({
      field: 'parameters',
      problem: expect.stringContaining(
        `10000 items × 200 placeholders = 2000000 substitutions, over the budget of ${MAX_PLACEHOLDER_RENDERINGS}`,
      ),
    });
    expect(fake.startInputs).toHaveLength(0);
    expect(fake.describeCalls + fake.listCalls).toBe(0);
  });

  it('refuses rendered values over the byte budget, naming where it was passed', async () => {
    const items = Array.from({ length: 9_000 }, (_, i) => `${i}`.padEnd(1_000, 'x'));
    const problems = await problemsOf(runFanOut(request({ items }), deps));
    expect(problems).toEqual([
      {
        field: 'parameters',
        problem: expect.stringMatching(
          new RegExp(`pass the budget of ${MAX_RENDERED_BYTES} bytes per request at item 83\\d\\d`),
        ),
      },
    ]);
    expect(fake.startInputs).toHaveLength(0);
  });

  it('checks the time budget while planning and starts nothing when it runs out', async () => {
    let calls = 0;
    const remainingTimeMs = () => (++calls > 3 ? 1_000 : 600_000);
    const items = Array.from({ length: 5_000 }, (_, i) => ({ id: i }));
    const run = runFanOut(request({ items, parameters: { Item: '{{item.id}}' } }), {
      ...deps,
      remainingTimeMs,
    });
    await expect(run).rejects.toThrow(PlanningTimeError);
    await expect(run).rejects.toThrow(/ran out of time at item 512; nothing was started/);
    expect(fake.startInputs).toHaveLength(0);
  });

  it('answers 413 over HTTP when planning runs out of time', async () => {
    const handler = createApiHandler(
      configFromEnvironment({
        FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      }),
    );
    const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
    event.body = JSON.stringify({
      pipelines: ['child-pipeline-1'],
      items: Array.from({ length: 300 }, (_, i) => i),
    });
    let calls = 0;
    const response = (await handler(
      event,
      lambdaContext({ getRemainingTimeInMillis: () => (++calls > 2 ? 5_000 : 29_000) }),
    )) as APIGatewayProxyStructuredResultV2 & { body: string };
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'urn:sagemaker-pipeline-lambdas:problem:too-much-work',
    });
    expect(fake.startInputs).toHaveLength(0);
  });

  it('finds undeclared parameters once per pipeline from DescribePipeline, before any start', async () => {
    fake.declared.set('child-pipeline-1', ['Item', 'Day']);
    fake.declared.set('child-pipeline-2', ['Item']);
    const items = Array.from({ length: 50 }, (_, i) => `i${i}`);
    const problems = await problemsOf(
      runFanOut(request({ items, parameters: { Item: '{{item}}', Day: 'monday' } }), deps),
    );
    expect(problems).toEqual([
      {
        field: 'parameters.Day',
        problem: 'not declared by pipeline "child-pipeline-2" (pipelines[1]), which declares: Item',
      },
    ]);
    expect(fake.describeCalls).toBe(2);
    expect(fake.startInputs).toHaveLength(0);
  });

  it('starts when every parameter is declared', async () => {
    fake.declared.set('child-pipeline-1', ['Item']);
    fake.declared.set('child-pipeline-2', ['Item', 'Other']);
    const result = await runFanOut(request({ items: ['a', 'b'] }), deps);
    expect(result.started).toBe(4);
    expect(fake.describeCalls).toBe(2);
  });

  it('refuses numbers that do not survive rendering, naming the item and field', async () => {
    const items = JSON.parse('[{"n": 1}, {"n": 9007199254740993}, {"a": [0, 1e400]}, 12.5]');
    const problems = await problemsOf(runFanOut(request({ items }), deps));
    expect(problems.map((p) => p.field)).toEqual(['items[1].n', 'items[2].a[1]']);
    expect(problems[0]?.problem).toMatch(/beyond ±9007199254740991 .* send it as a string/);
    expect(problems[1]?.problem).toMatch(/out of range \(such as 1e400\)/);
    expect(fake.startInputs).toHaveLength(0);
  });
});

describe('inexactNumbers', () => {
  it('accepts every safe integer and finite fraction, and counts past 20 problems', () => {
    expect(
      inexactNumbers([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1, 1e-300]),
    ).toEqual([]);
    const many = inexactNumbers(Array.from({ length: 25 }, () => 2 ** 60));
    expect(many).toHaveLength(21);
    expect(many[20]).toEqual({
      field: 'items',
      problem: '5 more numbers cannot be passed on exactly',
    });
  });
});

describe('declaredParameters', () => {
  it('reads Parameters[].Name and gives up on what is not a definition', () => {
    expect(declaredParameters('{"Parameters":[{"Name":"A"},{"Name":"B"}]}')).toEqual(
      new Set(['A', 'B']),
    );
    expect(declaredParameters('{"Steps":[]}')).toEqual(new Set());
    expect(declaredParameters('not json')).toBeUndefined();
    expect(declaredParameters(undefined)).toBeUndefined();
  });
});
