import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { type BatchFunctionConfig, batchTableName } from '../config';
import { createSageMakerClient } from '../fan-out/sagemaker-client';
import { S3_REQUEST_TIMEOUT_MS, sdkRequestHandler } from '../sdk-settings';
import { type BatchDeps, RequestCache } from './deps';
import { dynamoDbLedger } from './dynamodb-ledger';
import { fanInSageMakerPort } from './fan-in';
import { s3ResultsStore } from './s3-results';
import { batchSageMakerPort } from './sagemaker';
import { s3ObjectSource } from './sources/s3';

/**
 * Creates a batch function's clients and context, once per container.
 * @throws ConfigError when `BATCH_TABLE_NAME` is unset.
 */
export const createBatchDeps = (config: BatchFunctionConfig): BatchDeps => {
  const tableName = batchTableName(config);
  const { region, dynamoDbEndpoint, s3Endpoint, credentials } = config.aws;
  const dynamoDb = new DynamoDBClient({
    region,
    requestHandler: sdkRequestHandler(),
    ...(dynamoDbEndpoint === undefined ? {} : { endpoint: dynamoDbEndpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  const sagemaker = createSageMakerClient(config.aws);
  const { resultsBucket, resultsPrefix } = config.batches;
  // Local S3 servers answer on one host: buckets in the path, not the host name.
  const s3 = new S3Client({
    region,
    requestHandler: sdkRequestHandler(S3_REQUEST_TIMEOUT_MS),
    ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint, forcePathStyle: true }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  const results =
    resultsBucket === undefined ? undefined : s3ResultsStore(s3, { bucket: resultsBucket });
  return {
    ledger: dynamoDbLedger(dynamoDb, { tableName }),
    sagemaker: batchSageMakerPort(sagemaker),
    fanIn: { sagemaker: fanInSageMakerPort(sagemaker), results, resultsPrefix },
    objects: s3ObjectSource(s3),
    allowList: config.allowedPipelines,
    accountLimit: config.batches.accountLimit,
    retentionSeconds: config.batches.retentionSeconds,
    recoveryGraceMs: config.batches.recoveryGraceMs,
    now: Date.now,
    newId: randomUUID,
    requests: new RequestCache(),
  };
};
