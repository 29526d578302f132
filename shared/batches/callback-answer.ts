import { errorMessage, errorName } from '../fan-out/classify';
import { pipelineNameOf } from '../fan-out/identity';
import { logger } from '../logger';
import type { BatchCallbackOutput } from './callback-contract';
import type { BatchDeps } from './deps';
import { sha256Hex } from './identity';
import type { BatchRecord, BatchStatus } from './ledger';
import { toleratedFailures } from './tolerance';

/**
 * `SendPipelineExecutionStepFailure`'s `FailureReason` is a `String256` (SageMaker API
 * model, local/api/sagemaker-model.json): at most 256 characters.
 */
export const MAX_CALLBACK_FAILURE_REASON = 256;

/** Failed children named in a failure reason at most (the rest do not fit anyway). */
const NAMED_FAILURES = 10;

/** Cuts a reason to `FailureReason`'s 256 characters. */
export const asCallbackFailureReason = (text: string): string =>
  text.length <= MAX_CALLBACK_FAILURE_REASON
    ? text
    : `${text.slice(0, MAX_CALLBACK_FAILURE_REASON - 1)}…`;

/**
 * Answers SageMaker no longer takes, so retrying cannot help: the token expired or was
 * used (`ConflictException`), the parent execution is gone (`ResourceNotFound`), or the
 * request is refused (`ValidationException`). The API model lists ConflictException,
 * ResourceNotFound and ResourceLimitExceeded for both Send operations.
 */
const LATE = new Set(['ConflictException', 'ResourceNotFound', 'ValidationException']);

/** Whether SageMaker refused an answer for good (see {@link LATE}). */
export const isLateAnswer = (error: unknown): boolean => LATE.has(errorName(error));

/** The Callback step's outputs, as `SendPipelineExecutionStepSuccess` sends them. */
export const callbackOutputs = (
  batch: BatchRecord,
  resultsUri: string | undefined,
): Array<{ Name: BatchCallbackOutput; Value: string }> => [
  { Name: 'batchId', Value: batch.batchId },
  { Name: 'total', Value: String(batch.pairs) },
  { Name: 'succeeded', Value: String(batch.succeeded) },
  { Name: 'failed', Value: String(batch.failed + batch.stopped) },
  { Name: 'resultsUri', Value: resultsUri ?? '' },
];

/**
 * One line naming the failures: `4 of 60 child executions failed (tolerated 2):
 * child-pipeline-1 #3 ValidationException ...; ...`, cut to 256 characters.
 */
export const failureReasonOf = async (
  deps: BatchDeps,
  batch: BatchRecord,
  status: BatchStatus,
): Promise<string> => {
  const failures = batch.failed + batch.stopped;
  const head =
    status === 'STOPPED'
      ? `Batch ${batch.batchId} stopped: ${batch.succeeded} of ${batch.pairs} child executions succeeded, ${failures} failed or stopped`
      : `${failures} of ${batch.pairs} child executions failed (tolerated ${toleratedFailures(batch, batch.pairs)})`;
  const named: string[] = [];
  for (const outcome of ['FAILED', 'STOPPED'] as const) {
    if (status === 'STOPPED' || named.length >= NAMED_FAILURES) break;
    const page = await deps.ledger.listExecutions(batch.batchId, {
      status: outcome,
      limit: NAMED_FAILURES - named.length,
    });
    for (const record of page.records) {
      named.push(
        `${pipelineNameOf(record.pipeline)} #${record.itemIndex} ${record.failureReason ?? outcome.toLowerCase()}`,
      );
    }
  }
  return asCallbackFailureReason(named.length === 0 ? head : `${head}: ${named.join('; ')}`);
};

/**
 * Answers the Callback step waiting for a batch that has ended: success with its outputs
 * when it ended `SUCCEEDED` (within its tolerance), failure with a reason otherwise. An
 * answer already given to this token is not given again; one SageMaker no longer takes is
 * logged and recorded on the batch, never retried. Other errors are thrown, so the message
 * or the reconciler retries (with the same ClientRequestToken, so the answer counts once).
 */
export const answerCallback = async (
  deps: BatchDeps,
  batch: BatchRecord,
  status: BatchStatus,
  resultsUri: string | undefined,
): Promise<'answered' | 'late' | 'none'> => {
  const { callback } = batch;
  const fanIn = deps.fanIn;
  if (callback === undefined || fanIn === undefined) return 'none';
  if (batch.callbackAnswer?.token === callback.token) return 'none';
  // A retried parent's token is answered by its own message (a redrive), not with this end.
  if (callback.retry && status !== 'SUCCEEDED') return 'none';
  const outcome = status === 'SUCCEEDED' ? 'success' : 'failure';
  const ClientRequestToken = sha256Hex(`batch/v1\nanswer\n${batch.batchId}\n${callback.token}`);
  let late: string | undefined;
  try {
    if (outcome === 'success') {
      await fanIn.sagemaker.sendPipelineExecutionStepSuccess({
        CallbackToken: callback.token,
        ClientRequestToken,
        OutputParameters: callbackOutputs(batch, resultsUri),
      });
    } else {
      await fanIn.sagemaker.sendPipelineExecutionStepFailure({
        CallbackToken: callback.token,
        ClientRequestToken,
        FailureReason: await failureReasonOf(deps, batch, status),
      });
    }
  } catch (error) {
    if (!isLateAnswer(error)) throw error;
    late = asCallbackFailureReason(`${errorName(error)}: ${errorMessage(error)}`);
    logger.warn('The Callback step no longer takes an answer', {
      batchId: batch.batchId,
      parentExecutionArn: callback.parentExecutionArn,
      error: late,
    });
  }
  await deps.ledger.setBatchFields(
    batch.batchId,
    {
      callbackAnswer: {
        token: callback.token,
        outcome,
        at: new Date(deps.now()).toISOString(),
        ...(late === undefined ? {} : { late }),
      },
    },
    callback.token,
  );
  return late === undefined ? 'answered' : 'late';
};
