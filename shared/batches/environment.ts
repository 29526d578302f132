import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsRegion } from '../config';
import { createSageMakerClient } from '../fan-out/sagemaker-client';
import type { BatchConfig } from './config';
import { type BatchDeps, RequestCache } from './deps';
import { dynamoDbLedger } from './dynamodb-ledger';
import { fanInSageMakerPort } from './fan-in';
import { DEFAULT_RESULTS_PREFIX } from './fan-in-config';
import { s3ResultsStore } from './s3-results';
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
  const fanIn = config.fanIn;
  const results =
    fanIn?.resultsBucket === undefined
      ? undefined
      : s3ResultsStore(
          new S3Client(
            fanIn.s3Endpoint === undefined
              ? {}
              : { endpoint: fanIn.s3Endpoint, forcePathStyle: true },
          ),
          { bucket: fanIn.resultsBucket },
        );
  return {
    fanIn: {
      sagemaker: fanInSageMakerPort(sagemaker),
      results,
      resultsPrefix: fanIn?.resultsPrefix ?? DEFAULT_RESULTS_PREFIX,
    },
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
