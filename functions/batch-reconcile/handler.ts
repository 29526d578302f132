import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createBatchDeps } from '../../shared/batches/environment';
import { reconcile } from '../../shared/batches/reconcile';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/** Time kept in hand when a pass stops early: enough to finish the batch it is on. */
const RESERVE_MS = 60_000;

/** EventBridge schedule: checks the children the ledger believes running, refills, frees leaked slots. */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  return middy(async (_event: unknown, context: Context) => {
    const report = await reconcile(deps, () => context.getRemainingTimeInMillis() > RESERVE_MS);
    logger.info('Reconciled batches', { ...report });
    return report;
  }).use(injectLambdaContext(logger, { resetKeys: true }));
};

export const handler = createHandler(configFromEnvironment());
