import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { callbackMessageSchema, handleCallbackMessage } from '../../shared/batches/callback';
import { createBatchDeps } from '../../shared/batches/environment';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * SQS consumer of Callback step messages: each becomes a batch (or stops, redrives or
 * answers one). A message is processed on its own; a failing one is reported in
 * `batchItemFailures`, so SQS redelivers only it (and moves it to the dead-letter queue after
 * the queue's maxReceiveCount). A message that is not a Callback message is logged and dropped.
 */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      logger.warn('Ignored a message that is not JSON', { messageId: record.messageId });
      return 'ignored';
    }
    const message = v.safeParse(callbackMessageSchema, body);
    if (!message.success) {
      logger.warn('Ignored a message that is not a Callback step message', {
        messageId: record.messageId,
        problems: message.issues.map((issue) => v.getDotPath(issue) ?? '(message)'),
      });
      return 'ignored';
    }
    const outcome = await handleCallbackMessage(deps, message.output);
    logger.info('Callback message handled', {
      messageId: record.messageId,
      parentExecutionArn: message.output.pipelineExecutionArn,
      outcome,
    });
    return outcome;
  };
  return middy((event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, { context }),
  ).use(injectLambdaContext(logger, { resetKeys: true }));
};

export const handler = createHandler(configFromEnvironment());
