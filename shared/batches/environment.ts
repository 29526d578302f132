import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BatchFunctionConfig, batchTableName } from '../config';
import { createSageMakerClient } from '../fan-out/sagemaker-client';
import { type BatchDeps, RequestCache } from './deps';
import { dynamoDbLedger } from './dynamodb-ledger';
import { batchSageMakerPort } from './sagemaker';

/**
 * Creates a batch function's clients and context, once per container.
 * @throws ConfigError when `BATCH_TABLE_NAME` is unset.
 */
export const createBatchDeps = (config: BatchFunctionConfig): BatchDeps => {
  const tableName = batchTableName(config);
  const { region, dynamoDbEndpoint, credentials } = config.aws;
  const dynamoDb = new DynamoDBClient({
    region,
    ...(dynamoDbEndpoint === undefined ? {} : { endpoint: dynamoDbEndpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  return {
    ledger: dynamoDbLedger(dynamoDb, { tableName }),
    sagemaker: batchSageMakerPort(createSageMakerClient(config.aws)),
    allowList: config.allowedPipelines,
    accountLimit: config.batches.accountLimit,
    retentionSeconds: config.batches.retentionSeconds,
    recoveryGraceMs: config.batches.recoveryGraceMs,
    now: Date.now,
    newId: randomUUID,
    requests: new RequestCache(),
  };
};
