/**
 * How the runner treats an error from StartPipelineExecution.
 * - `resource-limit`: `ResourceLimitExceeded`, the account's quota (for example of
 *   concurrent pipeline executions): stop starting, defer the rest.
 * - `transient`: throttling, a 5xx, a network error or a timeout: the SDK has already
 *   retried; retry again with backoff, with the same ClientRequestToken, which is safe
 *   even when the first call's outcome is unknown.
 * - `conflict`: `ConflictException`, retried like a transient error, but reported as a
 *   failure if it persists.
 * - `permanent`: anything else the service rejected (`ResourceNotFound`,
 *   `ValidationException`, `AccessDeniedException`...): that (pipeline, item) fails.
 *
 * Error names are those of the SageMaker API model (`StartPipelineExecution` errors:
 * ConflictException, ResourceNotFound, ResourceLimitExceeded) and the throttling codes
 * and transient status codes of the SDK's retry classification
 * (`@smithy/core` `submodules/retry/service-error-classification/constants.js`).
 */
export type ErrorClass = 'resource-limit' | 'transient' | 'conflict' | 'permanent';

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface ServiceErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

const shapeOf = (error: unknown): ServiceErrorShape =>
  error !== null && typeof error === 'object' ? (error as ServiceErrorShape) : {};

/** The error's name, as SageMaker (or Node) reports it. */
export function errorName(error: unknown): string {
  const name = shapeOf(error).name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

/** The error's message, cut to a readable length. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}

/** Whether the error is throttling (by name, HTTP 429 or the SDK's retryable trait). */
export function isThrottling(error: unknown): boolean {
  const shape = shapeOf(error);
  return (
    THROTTLING_NAMES.has(errorName(error)) ||
    shape.$metadata?.httpStatusCode === 429 ||
    shape.$retryable?.throttling === true
  );
}

/**
 * The client cannot sign or address a request (no credentials, no region: errors of
 * `@smithy/core` `config`): retrying cannot help, and every call would fail alike.
 */
export function isClientConfigError(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    (error instanceof Error && error.message === 'Region is missing')
  );
}

/** Classifies an error from StartPipelineExecution (see {@link ErrorClass}). */
export function classifyError(error: unknown): ErrorClass {
  const shape = shapeOf(error);
  const name = errorName(error);
  if (isClientConfigError(error)) return 'permanent';
  if (name === 'ResourceLimitExceeded') return 'resource-limit';
  if (name === 'ConflictException') return 'conflict';
  if (isThrottling(error) || TRANSIENT_NAMES.has(name)) return 'transient';
  const status = shape.$metadata?.httpStatusCode;
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return 'transient';
  // No HTTP status at all: the request may never have got an answer (socket closed,
  // DNS, a parse error of a truncated body); retrying with the same token is safe.
  if (status === undefined && shape.$fault === undefined) return 'transient';
  return 'permanent';
}

/** IAM denied the call (`AccessDeniedException`, or any 403). */
export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    shapeOf(error).$metadata?.httpStatusCode === 403
  );
}

/**
 * What a caller sees of an access denial: `AccessDenied: not allowed to <action> <pipeline>`.
 * SageMaker's own message names the function's role, account and function: it goes to the
 * logs only.
 */
export const accessDeniedDetail = (action: 'start' | 'list', pipeline: string) => ({
  name: 'AccessDenied',
  message: `not allowed to ${action} ${pipeline}`,
});
