import * as v from 'valibot';
import { InputValidationError } from '../errors';
import { errorMessage } from '../fan-out/classify';
import { PipelineNotAllowedError } from '../fan-out/errors';
import { logger } from '../logger';
import { parseEvent } from '../validation';
import { answerCallback, asCallbackFailureReason, isLateAnswer } from './callback-answer';
import type { BatchDeps } from './deps';
import { BatchConflictError, BatchEndingError, BatchNotFoundError } from './errors';
import { batchIdOf, sha256Hex } from './identity';
import { type BatchCallback, type BatchRecord, pendingOf } from './ledger';
import { redriveBatch } from './redrive';
import { batchRequestSchema } from './request';
import { beyondTolerance, completeIfDone } from './settle';
import { stopBatch } from './stop';
import { submitBatch } from './submit';

/**
 * The message a Callback step puts on its SQS queue: `token`, `pipelineExecutionArn`,
 * `arguments` (the step's `Arguments`) and `status`, `Executing` when the step starts.
 * When the parent is stopped, "SageMaker Pipelines sends an additional Amazon SQS message
 * to the specified SQS queue. The body of the SQS message contains a "Status" field which
 * is set to "Stopping"" (SageMaker API Reference, StopPipelineExecution); both spellings of
 * the field are read. The token is a `CallbackToken`: 10 characters of [a-zA-Z0-9].
 *
 * SageMaker's message does not name the step. A batch's key is the parent execution ARN
 * plus the step's name, so the name comes from the arguments: `stepName` (our choice,
 * documented in docs/batches.md; a top-level `stepName`, which the local runtime adds, is
 * used when the arguments have none).
 */
export const callbackMessageSchema = v.object({
  token: v.pipe(v.string(), v.regex(/^[a-zA-Z0-9]{10}$/)),
  pipelineExecutionArn: v.pipe(
    v.string(),
    v.regex(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:pipeline\/[^/]+\/execution\/.+$/),
  ),
  arguments: v.optional(v.record(v.string(), v.unknown()), {}),
  status: v.optional(v.string()),
  Status: v.optional(v.string()),
  stepName: v.optional(v.string()),
});
export type CallbackMessage = v.InferOutput<typeof callbackMessageSchema>;

/** The fingerprint of a batch whose parent stopped before its Executing message was handled. */
const STOPPED_BEFORE_SUBMITTED = 'stopped-before-submitted';

/** Longest step name (`StepName` in the API model is a String256). */
const MAX_STEP_NAME = 256;

/** What one Callback message came to. */
export type CallbackOutcome =
  | 'submitted'
  | 'duplicate'
  | 'redriven'
  | 'answered'
  | 'waiting'
  | 'stopping'
  | 'rejected';

/** The batch key of a Callback step's batch: the parent execution and the step's name. */
export const callbackBatchKey = (parentExecutionArn: string, stepName: string): string =>
  `callback:${parentExecutionArn}#${stepName}`;

const stepNameOf = (message: CallbackMessage): string => {
  const fromArguments = message.arguments.stepName;
  const name = typeof fromArguments === 'string' ? fromArguments : message.stepName;
  if (name === undefined || name === '' || name.length > MAX_STEP_NAME) {
    throw new InputValidationError(
      [
        {
          field: 'arguments.stepName',
          problem:
            name === undefined || name === ''
              ? 'is required: give the Callback step\'s own name, e.g. {"stepName": "RunBatch"}'
              : `expected at most ${MAX_STEP_NAME} characters, received ${name.length}`,
        },
      ],
      { subject: 'callback arguments' },
    );
  }
  return name;
};

/** Answers a callback whose message cannot become a batch; the message is then done. */
const reject = async (
  deps: BatchDeps,
  message: CallbackMessage,
  reason: string,
): Promise<CallbackOutcome> => {
  const fanIn = deps.fanIn;
  logger.warn('Callback message refused', { token: message.token, reason });
  if (fanIn === undefined) return 'rejected';
  try {
    await fanIn.sagemaker.sendPipelineExecutionStepFailure({
      CallbackToken: message.token,
      ClientRequestToken: sha256Hex(`batch/v1\nrefuse\n${message.token}`),
      FailureReason: asCallbackFailureReason(reason),
    });
  } catch (error) {
    if (!isLateAnswer(error)) throw error;
    logger.warn('The Callback step no longer takes an answer', { error: errorMessage(error) });
  }
  return 'rejected';
};

const ended = (batch: BatchRecord): boolean =>
  batch.status === 'SUCCEEDED' || batch.status === 'FAILED' || batch.status === 'STOPPED';

/** Answers an ended batch's current callback now (it ended before this token arrived). */
const answerEnded = async (deps: BatchDeps, batchId: string): Promise<void> => {
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined || !ended(batch)) return;
  await answerCallback(deps, batch, batch.status, batch.resultsUri);
};

/**
 * Handles one Callback message:
 * - `Executing`, first time: the arguments are the batch request (validated as `POST
 *   /batches` validates, strings for lists and objects); the batch is submitted with the
 *   step's token, and answered when it ends;
 * - the same message again (SQS delivers at least once): nothing new starts; an ended
 *   batch's answer is given if it was not;
 * - the same step again with a new token (the parent was retried with
 *   RetryPipelineExecution): the batch answers the new token; a `FAILED` or `STOPPED`
 *   batch is redriven (only its failed and stopped children run again), a `SUCCEEDED` one
 *   is answered at once, a running one is waited for;
 * - `Stopping`: the batch stops its children and answers once they have stopped.
 * Arguments that cannot become a batch are answered with a failure naming the field.
 */
export const handleCallbackMessage = async (
  deps: BatchDeps,
  message: CallbackMessage,
): Promise<CallbackOutcome> => {
  let stepName: string;
  try {
    stepName = stepNameOf(message);
  } catch (error) {
    return reject(deps, message, errorMessage(error));
  }
  const batchKey = callbackBatchKey(message.pipelineExecutionArn, stepName);
  const batchId = batchIdOf(batchKey);
  const callback: BatchCallback = {
    token: message.token,
    parentExecutionArn: message.pipelineExecutionArn,
    stepName,
    receivedAt: new Date(deps.now()).toISOString(),
  };
  const existing = await deps.ledger.getBatch(batchId);

  if ((message.status ?? message.Status) === 'Stopping') {
    if (existing === undefined) {
      // The Executing message is late (SQS does not keep order, and a failed delivery waits out
      // the visibility timeout): an empty batch, stopped at once, keeps it from starting anything.
      const created = await deps.ledger.createBatch({
        batchId,
        batchKey,
        fingerprint: STOPPED_BEFORE_SUBMITTED,
        fingerprintParts: {},
        requestParts: 0,
        createdAt: callback.receivedAt,
        createdBy: message.pipelineExecutionArn,
        status: 'STOPPING',
        pipelineCount: 0,
        itemCount: 0,
        pairs: 0,
        maxConcurrentExecutions: 1,
        callback,
      });
      if (created) {
        await completeIfDone(deps, batchId);
        return 'stopping';
      }
    }
    if (existing !== undefined && existing.callback?.token !== message.token) {
      await deps.ledger.setBatchFields(batchId, { callback });
    }
    const batch = await stopBatch(deps, batchId);
    if (ended(batch)) await answerEnded(deps, batchId);
    return 'stopping';
  }

  // A late copy of a message whose token was answered already (SQS delivers at least once, and
  // a retried parent has since sent a new token): it must not take the batch back.
  if (existing !== undefined && existing.callbackAnswer?.token === message.token) {
    return 'duplicate';
  }
  if (existing !== undefined && existing.callback?.token === message.token) {
    if (!ended(existing)) {
      await completeIfDone(deps, batchId);
      return 'duplicate';
    }
    return afterRetry(deps, existing);
  }
  let request: v.InferOutput<typeof batchRequestSchema>;
  try {
    request = parseEvent(batchRequestSchema, message.arguments, 'callback arguments');
  } catch (error) {
    if (error instanceof InputValidationError) return reject(deps, message, error.message);
    throw error;
  }
  if (existing === undefined) {
    try {
      const { created } = await submitBatch(deps, {
        request,
        batchKey,
        createdBy: message.pipelineExecutionArn,
        callback,
      });
      return created ? 'submitted' : 'duplicate';
    } catch (error) {
      if (
        error instanceof InputValidationError ||
        error instanceof PipelineNotAllowedError ||
        error instanceof BatchConflictError
      ) {
        return reject(deps, message, error.message);
      }
      throw error;
    }
  }
  // The same step of the same parent with a new token: a retried parent execution.
  try {
    await submitBatch(deps, { request, batchKey, createdBy: message.pipelineExecutionArn });
  } catch (error) {
    if (error instanceof BatchConflictError || error instanceof InputValidationError) {
      return reject(deps, message, error.message);
    }
    throw error;
  }
  // Marked a retry: an end written under the previous token does not answer this one with the
  // old outcome; this message redrives the batch (or answers it, if it succeeded).
  await deps.ledger.setBatchFields(batchId, { callback: { ...callback, retry: true } });
  const current = await deps.ledger.getBatch(batchId);
  if (current === undefined) throw new BatchNotFoundError(batchId);
  if (ended(current)) return afterRetry(deps, current);
  // Ending now, under the previous token's answer: SQS delivers this message again once it has.
  if (finishing(current)) throw new BatchEndingError(batchId);
  // Still running (the parent cannot normally be retried then): its end answers this token.
  await deps.ledger.setBatchFields(batchId, { callback });
  return 'waiting';
};

/** Nothing runs and nothing more will start: the batch is writing its end. */
const finishing = (batch: BatchRecord): boolean =>
  Object.keys(batch.running).length === 0 &&
  (batch.status === 'STOPPING' || pendingOf(batch) === 0 || beyondTolerance(batch));

/**
 * An ended batch and the latest token: a retried parent's token redrives a `FAILED` or
 * `STOPPED` batch (once: the redrive clears the answer), a `SUCCEEDED` one is answered; the
 * token the batch was submitted with gets the batch's answer again if it was lost.
 */
const afterRetry = async (deps: BatchDeps, batch: BatchRecord): Promise<CallbackOutcome> => {
  const answered = batch.callbackAnswer?.token === batch.callback?.token;
  if (batch.callback?.retry && !answered && batch.status !== 'SUCCEEDED') {
    await redriveBatch(deps, batch.batchId);
    return 'redriven';
  }
  await answerEnded(deps, batch.batchId);
  return answered ? 'duplicate' : 'answered';
};
