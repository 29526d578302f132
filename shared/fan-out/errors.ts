/** Errors of the fan-out. Each sets `name`, keeps `cause` and names the offending value. */

/** A requested child pipeline is outside `FAN_OUT_ALLOWED_PIPELINES`. Nothing was started. */
export class PipelineNotAllowedError extends Error {
  readonly pipelines: readonly string[];

  constructor(pipelines: readonly string[], reason: string, options?: { cause?: unknown }) {
    super(
      `Pipeline${pipelines.length === 1 ? '' : 's'} ${pipelines.map((p) => JSON.stringify(p)).join(', ')} not allowed: ${reason}`,
      options,
    );
    this.name = 'PipelineNotAllowedError';
    this.pipelines = pipelines;
  }
}

/** A LambdaStep fan-out that could start nothing; the message is the step's failure reason. */
export class NothingStartedError extends Error {
  constructor(summary: string, options?: { cause?: unknown }) {
    super(`Fan-out started nothing: ${summary}`, options);
    this.name = 'NothingStartedError';
  }
}

/**
 * A scheduled fan-out left items deferred or failed. Thrown so that Lambda's
 * asynchronous retries resume the batch, and the on-failure destination keeps it.
 */
export class FanOutIncompleteError extends Error {
  constructor(summary: string, options?: { cause?: unknown }) {
    super(`Fan-out incomplete, will resume on retry: ${summary}`, options);
    this.name = 'FanOutIncompleteError';
  }
}
