import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createBatchDeps } from '../../shared/batches/environment';
import { routeBatchRequest } from '../../shared/batches/http';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { problemDetails } from '../../shared/http/problem-details';
import { logger } from '../../shared/logger';

/** POST /batches, GET /batches/{batchId}, GET /batches/{batchId}/executions. */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    (event: APIGatewayProxyEventV2) => routeBatchRequest(event, deps),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problemDetails());
};

export const handler = createHandler(configFromEnvironment());
