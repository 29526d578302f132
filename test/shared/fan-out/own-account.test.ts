import { SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createStepHandler } from '../../../functions/fan-out/handler';
import { createHandler as createApiHandler } from '../../../functions/fan-out-api/handler';
import { configFromEnvironment } from '../../../shared/config';
import { assertPipelinesAllowed, homeOf, parseAllowList } from '../../../shared/fan-out/allow-list';
import { NothingStartedError, PipelineNotAllowedError } from '../../../shared/fan-out/errors';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { runFanOut } from '../../../shared/fan-out/runner';
import { sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import {
  type FakeSageMaker,
  instantSleep,
  useFakeSageMaker,
} from '../../support/sagemaker/fake-sagemaker';

const home = homeOf('arn:aws:lambda:us-east-1:123456789012:function:fan-out');
const arn = (region: string, account: string, name = 'child-pipeline-1', partition = 'aws') =>
  `arn:${partition}:sagemaker:${region}:${account}:pipeline/${name}`;

const env = {
  FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** SageMaker's answer when IAM denies the call: its message names the role and account. */
const accessDenied = () =>
  new SageMakerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    message:
      'User: arn:aws:sts::123456789012:assumed-role/fan-out-role/fan-out-fn is not authorized to perform: sagemaker:StartPipelineExecution',
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });

describe('allow-list: own account and region only', () => {
  const allowList = parseAllowList('child-pipeline-1');

  it("reads the function's home from its ARN", () => {
    expect(home).toEqual({ partition: 'aws', region: 'us-east-1', account: '123456789012' });
    expect(homeOf('not-an-arn')).toBeUndefined();
  });

  it('accepts a name or an ARN of its own account and region', () => {
    expect(() =>
      assertPipelinesAllowed(
        allowList,
        ['child-pipeline-1', arn('us-east-1', '123456789012')],
        home,
      ),
    ).not.toThrow();
  });

  it('refuses an allowed name in an ARN of another account, region or partition', () => {
    for (const pipeline of [
      arn('us-east-1', '210987654321'),
      arn('eu-west-1', '123456789012'),
      arn('us-east-1', '123456789012', 'child-pipeline-1', 'aws-cn'),
    ]) {
      expect(() => assertPipelinesAllowed(allowList, [pipeline], home)).toThrow(
        /only pipelines of this function's own account 123456789012 and region us-east-1/,
      );
    }
    expect(() =>
      assertPipelinesAllowed(parseAllowList('*'), [arn('eu-west-1', '1')], home),
    ).toThrow(PipelineNotAllowedError);
  });

  it('refuses every ARN when its home is unknown', () => {
    expect(() =>
      assertPipelinesAllowed(allowList, [arn('us-east-1', '123456789012')], undefined),
    ).toThrow(/give the pipeline by name/);
  });

  it('refuses a foreign ARN in the handlers before any call', async () => {
    const fake = useFakeSageMaker();
    const step = createStepHandler(configFromEnvironment(env));
    await expect(
      step(
        { pipelines: [arn('eu-west-1', '123456789012')], items: ['a'], batchKey: 'k' },
        lambdaContext(),
      ),
    ).rejects.toThrow(PipelineNotAllowedError);
    expect(fake.startInputs).toHaveLength(0);
  });
});

describe('AccessDenied reaches callers without the role, account or function', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
    fake.fault = () => accessDenied();
  });

  it('reports AccessDenied: not allowed to start <pipeline>, once per pipeline', async () => {
    const warnings: unknown[] = [];
    const result = await runFanOut(
      v.parse(fanOutRequestSchema, {
        pipelines: ['child-pipeline-1'],
        items: ['a', 'b', 'c'],
        batchKey: 'denied',
        maxConcurrency: 1,
      }),
      {
        sagemaker: sageMakerPort(new SageMakerClient({ region: 'us-east-1' })),
        allowList: { kind: 'any' },
        remainingTimeMs: () => 600_000,
        sleep: instantSleep().sleep,
        logger: { info: () => undefined, warn: (...args: unknown[]) => warnings.push(args) },
      },
    );
    expect(result.failed).toHaveLength(3);
    for (const failure of result.failed) {
      expect(failure.error).toEqual({
        name: 'AccessDenied',
        message: 'not allowed to start child-pipeline-1',
      });
    }
    expect(fake.startInputs).toHaveLength(1);
    expect(JSON.stringify(warnings)).toMatch(/assumed-role\/fan-out-role/);
  });

  it('fails the LambdaStep with the short reason only', async () => {
    const step = createStepHandler(configFromEnvironment(env));
    const run = step(
      { pipelines: ['child-pipeline-1'], items: ['a'], batchKey: 'k' },
      lambdaContext(),
    );
    await expect(run).rejects.toThrow(NothingStartedError);
    await expect(run).rejects.toThrow(/AccessDenied: not allowed to start child-pipeline-1/);
    await expect(run).rejects.not.toThrow(/assumed-role|123456789012|fan-out-fn/);
  });

  it('answers HTTP callers without the role, account or function', async () => {
    const api = createApiHandler(configFromEnvironment(env));
    const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
    event.body = JSON.stringify({ pipelines: ['child-pipeline-1'], items: ['a'] });
    const response = (await api(event, lambdaContext())) as APIGatewayProxyStructuredResultV2 & {
      body: string;
    };
    expect(response.statusCode).toBe(207);
    expect(response.body).toMatch(/"message":"not allowed to start child-pipeline-1"/);
    expect(response.body).not.toMatch(/assumed-role|fan-out-fn/);
  });

  it('answers a GET denied by IAM with 403 and the short reason', async () => {
    fake.listFault = accessDenied();
    const api = createApiHandler(configFromEnvironment(env));
    const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-get');
    const response = (await api(event, lambdaContext())) as APIGatewayProxyStructuredResultV2 & {
      body: string;
    };
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).detail).toBe(
      'AccessDenied: not allowed to list child-pipeline-1',
    );
  });
});
