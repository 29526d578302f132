/**
 * Errors of the local runtime. Every one extends {@link LocalError}, whose `name` is its class's
 * name and which carries `cause`. Operations refuse with an {@link OperationError} naming the
 * error type SageMaker's API would answer; only `local/api/` turns them into HTTP answers.
 */
import { LocalError } from './engine/errors';

export { LocalError };

/** The error types SageMaker's API answers a refused operation with (`__type` on the wire). */
export type SageMakerErrorType =
  | 'ValidationException'
  | 'ResourceNotFound'
  | 'ResourceLimitExceeded'
  | 'ConflictException'
  | 'ThrottlingException'
  | 'UnknownOperationException';

/** An operation the runtime refuses, as SageMaker would. */
export abstract class OperationError extends LocalError {
  abstract readonly type: SageMakerErrorType;
}

/** A request SageMaker would reject: `ValidationException`. */
export class ValidationError extends OperationError {
  readonly type = 'ValidationException';
}

/** A pipeline, version, execution or callback token that does not exist: `ResourceNotFound`. */
export class NotFoundError extends OperationError {
  readonly type = 'ResourceNotFound';
}

/** A request that conflicts with the resource's state: `ConflictException`. */
export class ConflictError extends OperationError {
  readonly type = 'ConflictException';
}

/** A quota reached: `ResourceLimitExceeded`. */
export class LimitExceededError extends OperationError {
  readonly type = 'ResourceLimitExceeded';
}

/** A rate limit reached: `ThrottlingException`. */
export class ThrottlingError extends OperationError {
  readonly type = 'ThrottlingException';
}

/** An operation the local runtime does not serve: `UnknownOperationException`. */
export class UnsupportedOperationError extends OperationError {
  readonly type = 'UnknownOperationException';
}
