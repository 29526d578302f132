import { truncate } from '../describe-value';
import { MAX_FAILURE_REASON_LENGTH } from '../errors';

/**
 * Errors of the fan-out. Each sets `name`, keeps `cause` and names the offending value.
 * Messages are one line of at most 1,024 characters: what SageMaker keeps of a step's
 * failure reason.
 */

/** Makes a text one line (line breaks become spaces) of at most `max` characters. */
export const oneLine = (text: string, max = MAX_FAILURE_REASON_LENGTH): string => {
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return [...flat].length <= max ? flat : `${[...flat].slice(0, max - 1).join('')}…`;
};

/** A requested child pipeline is outside `FAN_OUT_ALLOWED_PIPELINES`. Nothing was started. */
export class PipelineNotAllowedError extends Error {
  readonly pipelines: readonly string[];

  constructor(pipelines: readonly string[], reason: string, options?: { cause?: unknown }) {
    super(
      oneLine(
        `Pipeline${pipelines.length === 1 ? '' : 's'} ${pipelines.map((p) => JSON.stringify(truncate(p))).join(', ')} not allowed: ${reason}`,
      ),
      options,
    );
    this.name = 'PipelineNotAllowedError';
    this.pipelines = pipelines;
  }
}

/** A LambdaStep fan-out that could start nothing; the message is the step's failure reason. */
export class NothingStartedError extends Error {
  constructor(summary: string, options?: { cause?: unknown }) {
    super(oneLine(`Fan-out started nothing: ${summary}`), options);
    this.name = 'NothingStartedError';
  }
}

/**
 * A scheduled fan-out left items deferred or failed. Thrown so that Lambda's
 * asynchronous retries resume the batch, and the on-failure destination keeps it.
 */
export class FanOutIncompleteError extends Error {
  constructor(summary: string, options?: { cause?: unknown }) {
    super(oneLine(`Fan-out incomplete, will resume on retry: ${summary}`), options);
    this.name = 'FanOutIncompleteError';
  }
}
