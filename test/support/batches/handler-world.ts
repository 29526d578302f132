import { randomUUID } from 'node:crypto';
import {
  DescribePipelineExecutionCommand,
  SageMakerClient,
  type SageMakerClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { onTestFinished } from 'vitest';
import { RequestCache } from '../../../shared/batches/deps';
import { dynamoDbLedger } from '../../../shared/batches/dynamodb-ledger';
import { type BatchFunctionConfig, configFromEnvironment } from '../../../shared/config';
import { FakeBatchSageMaker } from './fake-sagemaker';
import { createLedgerTable, localDynamoDb } from './table';

/** Answers the starts and describes that `mock` receives with the fake `sagemaker`. */
export const answerChildCalls = (
  mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, SageMakerClientResolvedConfig>,
  sagemaker: FakeBatchSageMaker,
): void => {
  mock
    .on(StartPipelineExecutionCommand)
    .callsFake((input) => sagemaker.startPipelineExecution(input));
  mock
    .on(DescribePipelineExecutionCommand)
    .callsFake((input) => sagemaker.describePipelineExecution(input));
};

/**
 * For one handler test: a fresh ledger table on `endpoint`, the handlers' config pointing at
 * it, and every SageMaker client's calls answered by a fake until the test finishes.
 */
export const handlerWorld = async (endpoint: string, env: Record<string, string> = {}) => {
  const tableName = `handler-${randomUUID().slice(0, 8)}`;
  const client = localDynamoDb(endpoint);
  await createLedgerTable(client, tableName);
  const sagemaker = new FakeBatchSageMaker();
  const mock = mockClient(SageMakerClient);
  answerChildCalls(mock, sagemaker);
  onTestFinished(() => {
    mock.restore();
    client.destroy();
  });
  const config: BatchFunctionConfig = configFromEnvironment({
    BATCH_TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
    AWS_REGION: 'us-east-1',
    ...env,
  });
  const ledger = dynamoDbLedger(client, { tableName });
  return { config, sagemaker, ledger, requests: new RequestCache() };
};
