import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  SageMakerClient,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { callbackBatchKey } from '../../../shared/batches/callback';
import { batchIdOf } from '../../../shared/batches/identity';
import { configFromEnvironment } from '../../../shared/config';
import { type DynamoDbServer, useDynamoDb } from '../../support/batches/dynalite';
import { FakeBatchSageMaker, statusEvent } from '../../support/batches/fake-sagemaker';
import { answerChildCalls } from '../../support/batches/handler-world';
import { newLedgerTable } from '../../support/batches/table';
import '../../support/batches/module-env';
import { lambdaContext, sqsRecord } from '../../support/lambda/events';

const { createHandler } = await import('../../../functions/batch-callback/handler');
const { createHandler: createEventsHandler } = await import(
  '../../../functions/batch-events/handler'
);

const PARENT = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent-batch/execution/p1';

const record = (messageId: string, body: string) => sqsRecord('batch-callbacks', messageId, body);

const callbackBody = (token: string, args: Record<string, string>, status = 'Executing') =>
  JSON.stringify({ token, pipelineExecutionArn: PARENT, arguments: args, status });

describe('batch-callback handler', () => {
  let dynalite: DynamoDbServer;
  let client: DynamoDBClient;
  const sagemakerMock = mockClient(SageMakerClient);
  const s3Mock = mockClient(S3Client);
  useDynamoDb((started, server) => {
    client = started;
    dynalite = server;
  });
  afterAll(() => {
    sagemakerMock.restore();
    s3Mock.restore();
  });
  afterEach(() => {
    sagemakerMock.reset();
    s3Mock.reset();
  });

  const setup = async () => {
    const { tableName } = await newLedgerTable(client, 'callback');
    const children = new FakeBatchSageMaker();
    answerChildCalls(sagemakerMock, children);
    sagemakerMock.on(StopPipelineExecutionCommand).resolves({});
    sagemakerMock.on(SendPipelineExecutionStepSuccessCommand).resolves({});
    sagemakerMock.on(SendPipelineExecutionStepFailureCommand).resolves({});
    const objects = new Map<string, string>();
    s3Mock.on(PutObjectCommand).callsFake(async (input) => {
      objects.set(String(input.Key), Buffer.from(input.Body as Buffer).toString('utf8'));
      return {};
    });
    const config = configFromEnvironment({
      BATCH_TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
      BATCH_RESULTS_BUCKET: 'results-bucket',
      BATCH_RESULTS_PREFIX: 'results',
    });
    return { config, children, objects };
  };

  it('turns a Callback message into a batch and answers the step with its outcome', async () => {
    const { config, children, objects } = await setup();
    const handler = createHandler(config);
    const args = { stepName: 'RunBatch', pipelines: '["child-pipeline-1"]', items: '["a","b"]' };
    const message = record('m-1', callbackBody('Tok0000001', args));
    const response = await handler(
      {
        Records: [message, record('m-junk', 'not json'), record('m-other', '{"a":1}')],
      } as SQSEvent,
      lambdaContext(),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(children.children).toHaveLength(2);
    // SQS delivers at least once: the same message again starts nothing.
    await handler({ Records: [message] } as SQSEvent, lambdaContext());
    expect(children.children).toHaveLength(2);

    const events = createEventsHandler(config);
    for (const [i, child] of children.children.entries()) {
      children.end(child);
      await events(
        {
          Records: [record(`e-${i}`, JSON.stringify(statusEvent(child, 'Succeeded')))],
        } as SQSEvent,
        lambdaContext(),
      );
    }
    const batchId = batchIdOf(callbackBatchKey(PARENT, 'RunBatch'));
    const answers = sagemakerMock.commandCalls(SendPipelineExecutionStepSuccessCommand);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.args[0].input).toMatchObject({
      CallbackToken: 'Tok0000001',
      OutputParameters: [
        { Name: 'batchId', Value: batchId },
        { Name: 'total', Value: '2' },
        { Name: 'succeeded', Value: '2' },
        { Name: 'failed', Value: '0' },
        { Name: 'resultsUri', Value: `s3://results-bucket/results/${batchId}/results.jsonl` },
      ],
    });
    expect(objects.get(`results/${batchId}/results.jsonl`)?.trim().split('\n')).toHaveLength(2);
  });

  it('answers bad arguments with a failure naming the field, and reports only a failing message', async () => {
    const { config } = await setup();
    const handler = createHandler(config);
    const bad = record(
      'm-bad',
      callbackBody('Tok0000002', { stepName: 'RunBatch', pipelines: '[]', items: '["a"]' }),
    );
    expect(await handler({ Records: [bad] } as SQSEvent, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    const failures = sagemakerMock.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(failures[0]?.args[0].input).toMatchObject({
      CallbackToken: 'Tok0000002',
      FailureReason: expect.stringContaining('pipelines'),
    });
    const broken = createHandler({
      ...config,
      aws: { ...config.aws, dynamoDbEndpoint: 'http://127.0.0.1:9' },
    });
    const good = record(
      'm-good',
      callbackBody('Tok0000003', {
        stepName: 'S',
        pipelines: '["child-pipeline-1"]',
        items: '[1]',
      }),
    );
    expect(
      await broken({ Records: [record('m-junk', 'x'), good] } as SQSEvent, lambdaContext()),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-good' }],
    });
  });
});
