import * as v from 'valibot';
import { callbackMessageSchema, handleCallbackMessage } from '../../shared/batches/callback';
import { createBatchDeps } from '../../shared/batches/environment';
import { sqsMessageHandler } from '../../shared/batches/sqs-messages';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * SQS consumer of Callback step messages: each becomes a batch (or stops, redrives or answers
 * one), one message at a time (a failing one is redelivered alone). A message that is not a
 * Callback message is logged and dropped.
 */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  const work = {
    handle: async (body: unknown, record: { messageId: string }) => {
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
    },
  };
  return sqsMessageHandler(() => work);
};

export const handler = createHandler(configFromEnvironment());
