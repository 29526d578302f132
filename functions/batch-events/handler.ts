import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createBatchDeps } from '../../shared/batches/environment';
import {
  applyStatusChange,
  childStatusChangeOf,
  type EndedChild,
  refillEnded,
} from '../../shared/batches/events';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * SQS consumer of the child status-change events. Each message is processed on its own;
 * a failing one is reported in `batchItemFailures`, so SQS redelivers only it (and moves it
 * to the dead-letter queue after the queue's maxReceiveCount). The children that ended are
 * then settled, and their batches refilled, once per batch.
 */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  const processor = new BatchProcessor(EventType.SQS);
  return middy(async (event: SQSEvent, context: Context) => {
    const ended: EndedChild[] = [];
    const recordHandler = async (record: SQSRecord) => {
      let message: unknown;
      try {
        message = JSON.parse(record.body);
      } catch {
        // Not an event at all: retrying cannot help, and a poison message must not block others.
        logger.warn('Ignored a message that is not JSON', { messageId: record.messageId });
        return 'ignored';
      }
      const change = childStatusChangeOf(message);
      if (change === undefined) {
        logger.warn('Ignored a message that is not a pipeline status change', {
          messageId: record.messageId,
        });
        return 'ignored';
      }
      const outcome = await applyStatusChange(deps, change, { ended });
      logger.debug('Status change applied', { executionArn: change.executionArn, outcome });
      return outcome;
    };
    const response = await processPartialResponse(event, recordHandler, processor, { context });
    await refillEnded(deps, ended);
    return response;
  }).use(injectLambdaContext(logger, { resetKeys: true }));
};

export const handler = createHandler(configFromEnvironment());
