import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../logger';

/** What one invocation does with its messages, and after them. */
export interface MessageWork {
  /** Handles one message's JSON body; a throw reports it in `batchItemFailures`. */
  handle(body: unknown, record: SQSRecord): Promise<string>;
  /** Runs once every message of the invocation is handled. */
  finish?(): Promise<void>;
}

/**
 * An SQS consumer: each message is processed on its own, a failing one is reported in
 * `batchItemFailures`, so SQS redelivers only it (and moves it to the dead-letter queue after
 * the queue's maxReceiveCount). A message that is not JSON is logged and dropped: retrying
 * cannot help, and a poison message must not block the others.
 */
export const sqsMessageHandler = (workOf: () => MessageWork) => {
  const processor = new BatchProcessor(EventType.SQS);
  return middy(async (event: SQSEvent, context: Context) => {
    const work = workOf();
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        let body: unknown;
        try {
          body = JSON.parse(record.body);
        } catch {
          logger.warn('Ignored a message that is not JSON', { messageId: record.messageId });
          return 'ignored';
        }
        return work.handle(body, record);
      },
      processor,
      { context },
    );
    await work.finish?.();
    return response;
  }).use(injectLambdaContext(logger, { resetKeys: true }));
};
