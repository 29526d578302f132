/** Baseline for LambdaStep bundles: a no-op wrapped in middy with the Powertools Logger. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

const logger = new Logger({ serviceName: 'bench-bare' });

export const handler = middy(async () => ({})).use(injectLambdaContext(logger));
