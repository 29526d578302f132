/**
 * Callback steps waiting for an answer: the local stand-in for their SQS queue, and the
 * SendPipelineExecutionStepSuccess and SendPipelineExecutionStepFailure operations.
 */
import {
  type CallbackMessage,
  CallbackOutputError,
  type CallbackWaiter,
  type OutputParameter,
} from './engine/interpreter';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import type { Input, Output } from './paging';

/** A waiting callback as the CLI and the `/_local/callbacks` path list it. */
export interface QueuedCallback extends CallbackMessage {
  waitingSince: string;
}

type AnswerOperation = 'SendPipelineExecutionStepSuccess' | 'SendPipelineExecutionStepFailure';

/**
 * Sends a Callback step's message to the consumer of its queue, when this project has one (see
 * local/callback-delivery.ts); `false` when no function consumes that queue.
 */
export type CallbackDelivery = (message: CallbackMessage) => boolean;

export interface CallbackQueue {
  /** A Callback step of execution `executionArn` starts waiting. */
  waiting(waiter: CallbackWaiter, executionArn: string): void;
  /** The execution of a waiting callback is stopping: SageMaker sends a second message. */
  stopping(waiter: CallbackWaiter): void;
  /** The callback of `token` no longer waits (answered). */
  done(token: string): void;
  /** Waiting callback messages, oldest first. */
  list(): QueuedCallback[];
  operations: Record<AnswerOperation, (input: Input) => Output>;
}

export function createCallbackQueue(
  clock: () => Date,
  deliver: CallbackDelivery = () => false,
): CallbackQueue {
  const waiting = new Map<string, { waiter: CallbackWaiter; executionArn: string; since: Date }>();
  /** Answered callbacks: the operation and ClientRequestToken of the answer, for retries. */
  const answered = new Map<
    string,
    { operation: AnswerOperation; clientToken?: string; executionArn: string }
  >();

  /**
   * Answers a waiting callback once. The same operation retried with the same ClientRequestToken
   * gets the first answer, as the idempotency token promises (API_SendPipelineExecutionStepSuccess:
   * "An idempotent operation completes no more than once"); SDKs retry with the same token after a
   * lost response. Any other second answer is a ConflictException.
   */
  const answer = (
    operation: AnswerOperation,
    input: Input,
    complete: (waiter: CallbackWaiter) => void,
  ): Output => {
    const token = String(input.CallbackToken);
    const clientToken =
      typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const entry = waiting.get(token);
    if (!entry) {
      const done = answered.get(token);
      if (!done) throw new NotFoundError(`Callback token '${token}' does not exist.`);
      if (
        clientToken !== undefined &&
        done.operation === operation &&
        done.clientToken === clientToken
      ) {
        return { PipelineExecutionArn: done.executionArn };
      }
      throw new ConflictError(`Callback token '${token}' has already been used.`);
    }
    complete(entry.waiter);
    answered.set(token, {
      operation,
      ...(clientToken !== undefined ? { clientToken } : {}),
      executionArn: entry.executionArn,
    });
    return { PipelineExecutionArn: entry.executionArn };
  };

  return {
    waiting(waiter, executionArn) {
      waiting.set(waiter.message.token, { waiter, executionArn, since: clock() });
      deliver(waiter.message);
    },
    stopping(waiter) {
      deliver(waiter.message);
    },
    done(token) {
      waiting.delete(token);
    },
    list() {
      return [...waiting.values()]
        .sort((a, b) => a.since.getTime() - b.since.getTime())
        .map(({ waiter, since }) => ({ ...waiter.message, waitingSince: since.toISOString() }));
    },
    operations: {
      SendPipelineExecutionStepSuccess(input) {
        return answer('SendPipelineExecutionStepSuccess', input, (waiter) => {
          try {
            waiter.succeed((input.OutputParameters ?? []) as OutputParameter[]);
          } catch (error) {
            if (error instanceof CallbackOutputError) {
              throw new ValidationError(error.message, { cause: error });
            }
            throw error;
          }
        });
      },
      SendPipelineExecutionStepFailure(input) {
        return answer('SendPipelineExecutionStepFailure', input, (waiter) =>
          waiter.fail(typeof input.FailureReason === 'string' ? input.FailureReason : ''),
        );
      },
    },
  };
}
