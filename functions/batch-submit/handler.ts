import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createBatchDeps } from '../../shared/batches/environment';
import { countsOf } from '../../shared/batches/ledger';
import { scheduledBatchOf } from '../../shared/batches/schedule';
import { submitBatch } from '../../shared/batches/submit';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * EventBridge rule or Scheduler target: submits a batch, keyed by the event (its `id`, or
 * the `batchKey` the input gives). Lambda's retries of the same event find the same batch.
 * The batch then runs by itself; this function does not wait for it.
 */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  return middy(async (event: unknown) => {
    const { created, batch } = await submitBatch(deps, scheduledBatchOf(event));
    logger.info('Scheduled batch submitted', { batchId: batch.batchId, created });
    return { batchId: batch.batchId, created, status: batch.status, counts: countsOf(batch) };
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: (request) => {
        logger.error('Scheduled batch failed', { error: request.error ?? undefined });
      },
    });
};

export const handler = createHandler(configFromEnvironment());
