import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createStepHandler } from '../../../functions/fan-out/handler';
import { createHandler as createApiHandler } from '../../../functions/fan-out-api/handler';
import { createHandler as createScheduleHandler } from '../../../functions/fan-out-schedule/handler';
import { configFromEnvironment } from '../../../shared/config';
import { httpCaller, scheduleCaller, stepCaller } from '../../../shared/fan-out/caller';
import { parseDescription } from '../../../shared/fan-out/description';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import { type FakeSageMaker, useFakeSageMaker } from '../../support/sagemaker/fake-sagemaker';

const env = {
  FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

const RULE = 'arn:aws:events:us-east-1:123456789012:rule/nightly-fan-out';

const callers = (fake: FakeSageMaker) =>
  new Set(fake.executions.map((e) => parseDescription(e.description).caller));

describe('caller identity', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
  });

  it('reads the signing IAM principal of an HTTP API request', () => {
    const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
    expect(httpCaller(event)).toBe('arn:aws:sts::123456789012:assumed-role/ml-engineer/session');
    const { userArn: _, ...rest } = (
      event.requestContext as unknown as { authorizer: { iam: Record<string, unknown> } }
    ).authorizer.iam;
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = { iam: rest };
    expect(httpCaller(event)).toBe('123456789012:AROAEXAMPLE:ml-engineer');
    (event.requestContext as unknown as { authorizer?: unknown }).authorizer = undefined;
    expect(httpCaller(event)).toBeUndefined();
  });

  it('reads the parent execution of a LambdaStep, from the event or the batch key', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/x1';
    expect(stepCaller({ pipelineExecutionArn: arn }, 'k')).toBe(arn);
    expect(stepCaller({}, arn)).toBe(arn);
    expect(stepCaller({}, 'nightly')).toBeUndefined();
  });

  it("reads a scheduled rule's ARN, else the event's source", () => {
    const event = loadEvent('fan-out-eventbridge');
    expect(scheduleCaller(event)).toBe('eventbridge:com.example.ml-platform');
    event.resources = [RULE];
    expect(scheduleCaller(event)).toBe(RULE);
    expect(scheduleCaller({ batchKey: 'k' })).toBe('eventbridge');
  });

  it("puts the HTTP caller in each child's description", async () => {
    await createApiHandler(configFromEnvironment(env))(
      loadEvent<APIGatewayProxyEventV2>('fan-out-api-post'),
      lambdaContext(),
    );
    expect(fake.executions.length).toBeGreaterThan(0);
    expect(callers(fake)).toEqual(
      new Set(['arn:aws:sts::123456789012:assumed-role/ml-engineer/session']),
    );
  });

  it("puts the LambdaStep's parent execution in each child's description", async () => {
    const event = loadEvent('fan-out');
    await createStepHandler(configFromEnvironment(env))(event, lambdaContext());
    expect(callers(fake)).toEqual(new Set([event.pipelineExecutionArn]));
  });

  it("puts the schedule's rule in each child's description", async () => {
    const event = { ...loadEvent('fan-out-eventbridge'), resources: [RULE] };
    await createScheduleHandler(configFromEnvironment(env))(event, lambdaContext());
    expect(callers(fake)).toEqual(new Set([RULE]));
  });
});
