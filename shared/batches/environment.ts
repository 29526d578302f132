import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsRegion } from '../config';
import { createSageMakerClient } from '../fan-out/sagemaker-client';
import type { BatchConfig } from './config';
import { type BatchDeps, RequestCache } from './deps';
import { dynamoDbLedger } from './dynamodb-ledger';
import { batchSageMakerPort } from './sagemaker';

/** Creates a batch function's clients and context, once per container. */
export const createBatchDeps = (config: BatchConfig): BatchDeps => {
  const dynamoDb = new DynamoDBClient(
    config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint },
  );
  const sagemaker = createSageMakerClient({
    region: awsRegion(),
    ...(config.sageMakerEndpoint === undefined ? {} : { endpoint: config.sageMakerEndpoint }),
  });
  return {
    ledger: dynamoDbLedger(dynamoDb, { tableName: config.tableName }),
    sagemaker: batchSageMakerPort(sagemaker),
    allowList: config.allowList,
    accountLimit: config.accountLimit,
    retentionSeconds: config.retentionSeconds,
    recoveryGraceMs: config.recoveryGraceMs,
    now: Date.now,
    newId: randomUUID,
    requests: new RequestCache(),
  };
};
