import { truncate } from '../describe-value';
import { SagemakerPipelineLambdasError } from '../errors';
import { MAX_FAILURE_REASON_LENGTH } from '../limits';

/**
 * Errors of the fan-out. Each sets `name`, keeps `cause` and names the offending value.
 * Messages are one line of at most 1,024 characters: what SageMaker keeps of a step's
 * failure reason.
 */

/** A text as a failure reason: one line (line breaks become spaces) of at most 1,024 characters. */
export const asFailureReason = (text: string): string =>
  truncate(text.replace(/[\r\n\u2028\u2029]+/g, ' '), MAX_FAILURE_REASON_LENGTH);

/** A requested child pipeline is outside `FAN_OUT_ALLOWED_PIPELINES`. Nothing was started. */
export class PipelineNotAllowedError extends SagemakerPipelineLambdasError {
  override readonly name = 'PipelineNotAllowedError';
  readonly pipelines: readonly string[];

  constructor(pipelines: readonly string[], reason: string, options?: { cause?: unknown }) {
    super(
      asFailureReason(
        `Pipeline${pipelines.length === 1 ? '' : 's'} ${pipelines.map((p) => JSON.stringify(truncate(p))).join(', ')} not allowed: ${reason}`,
      ),
      options,
    );
    this.pipelines = pipelines;
  }
}

/** A LambdaStep fan-out that could start nothing; the message is the step's failure reason. */
export class NothingStartedError extends SagemakerPipelineLambdasError {
  override readonly name = 'NothingStartedError';
  constructor(summary: string, options?: { cause?: unknown }) {
    super(asFailureReason(`Fan-out started nothing: ${summary}`), options);
  }
}

/**
 * A scheduled fan-out left items deferred or failed. Thrown so that Lambda's
 * asynchronous retries resume the batch, and the on-failure destination keeps it.
 */
export class FanOutIncompleteError extends SagemakerPipelineLambdasError {
  override readonly name = 'FanOutIncompleteError';
  constructor(summary: string, options?: { cause?: unknown }) {
    super(asFailureReason(`Fan-out incomplete, will resume on retry: ${summary}`), options);
  }
}

/**
 * A re-send of a batch key whose request differs from the one that already started
 * executions under that key. Nothing was started: re-sending a changed request would
 * start duplicates under the old display names and leave new items out.
 */
export class BatchKeyReusedError extends SagemakerPipelineLambdasError {
  override readonly name = 'BatchKeyReusedError';
  readonly batchId: string;
  readonly differences: readonly string[];

  constructor(batchId: string, differences: readonly string[], options?: { cause?: unknown }) {
    super(
      asFailureReason(
        `Batch ${batchId} was already started by a different request with the same batch key: its ${differences.join(', ')} differ${differences.length === 1 ? 's' : ''}. Nothing was started. Re-send the original request to resume the batch, or use a new batch key for a new request.`,
      ),
      options,
    );
    this.batchId = batchId;
    this.differences = differences;
  }
}

/**
 * Planning did not finish within the time budget: the request is too large for the time
 * the function has left. Nothing was started.
 */
export class PlanningTimeError extends SagemakerPipelineLambdasError {
  override readonly name = 'PlanningTimeError';
  constructor(items: number, reached: number, options?: { cause?: unknown }) {
    super(
      asFailureReason(
        `Planning ${items} items ran out of time at item ${reached}; nothing was started. Send fewer items per request (plan-batches splits them).`,
      ),
      options,
    );
  }
}
