import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { configFromEnvironment, type FanOutConfig } from '../../shared/config';
import { homeOf } from '../../shared/fan-out/allow-list';
import { scheduleCaller } from '../../shared/fan-out/caller';
import { createFanOutDependencies } from '../../shared/fan-out/dependencies';
import { BatchKeyReusedError, FanOutIncompleteError } from '../../shared/fan-out/errors';
import { isComplete, summarize } from '../../shared/fan-out/result';
import { runFanOut } from '../../shared/fan-out/runner';
import { requestFromScheduleEvent } from '../../shared/fan-out/schedule';

export function createHandler(config: FanOutConfig) {
  const dependencies = createFanOutDependencies(config);
  const { logger } = dependencies;

  /**
   * EventBridge rule or Scheduler target. Throws when anything is deferred or failed, so
   * Lambda's asynchronous retries resume the batch (same event, same batch key) and the
   * on-failure destination keeps any request that still could not finish.
   * A batch key reused by a different request is refused without throwing: a retry would
   * be refused alike. It is logged at error level (`Scheduled fan-out refused`) and
   * returned as `refused`; nothing is started and nothing goes to the failure queue.
   */
  const fanOutOnSchedule = async (event: unknown, context: Context) => {
    const caller = scheduleCaller(event);
    logger.appendKeys({ caller });
    const request = requestFromScheduleEvent(event);
    let result: Awaited<ReturnType<typeof runFanOut>>;
    try {
      result = await runFanOut(request, {
        ...dependencies,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        home: homeOf(context.invokedFunctionArn),
        caller,
      });
    } catch (error) {
      if (!(error instanceof BatchKeyReusedError)) throw error;
      logger.error('Scheduled fan-out refused', { error });
      return { batchId: error.batchId, refused: error.message };
    }
    const summary = summarize(result);
    if (!result.dryRun && !isComplete(result)) throw new FanOutIncompleteError(summary);
    logger.info('Fan-out complete', { batchId: result.batchId, summary });
    return {
      batchId: result.batchId,
      requested: result.requested,
      started: result.started,
      dryRun: result.dryRun,
    };
  };

  return middy(fanOutOnSchedule)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: (request) => {
        logger.error('Scheduled fan-out failed', { error: request.error ?? undefined });
      },
    });
}

export const handler = createHandler(configFromEnvironment());
