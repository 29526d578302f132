import { createBatchDeps } from '../../shared/batches/environment';
import {
  applyStatusChange,
  type BatchReads,
  childStatusChangeOf,
  type EndedChild,
  refillEnded,
} from '../../shared/batches/events';
import { sqsMessageHandler } from '../../shared/batches/sqs-messages';
import { type BatchFunctionConfig, configFromEnvironment } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * SQS consumer of the child status-change events, one message at a time (a failing one is
 * redelivered alone). The children that ended are then settled, and their batches refilled,
 * once per batch.
 */
export const createHandler = (config: BatchFunctionConfig) => {
  const deps = createBatchDeps(config);
  return sqsMessageHandler(() => {
    const ended: EndedChild[] = [];
    const reads: BatchReads = new Map();
    return {
      handle: async (message, record) => {
        const change = childStatusChangeOf(message);
        if (change === undefined) {
          logger.warn('Ignored a message that is not a pipeline status change', {
            messageId: record.messageId,
          });
          return 'ignored';
        }
        const outcome = await applyStatusChange(deps, change, { ended, reads });
        logger.debug('Status change applied', { executionArn: change.executionArn, outcome });
        return outcome;
      },
      finish: () => refillEnded(deps, ended, reads),
    };
  });
};

export const handler = createHandler(configFromEnvironment());
