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

/** The base of the operation errors that answer with `type`; `name` stays the subclass's name. */
function refusal<T extends SageMakerErrorType>(type: T) {
  return class extends OperationError {
    readonly type = type;
  };
}

/** A request SageMaker would reject: `ValidationException`. */
export class ValidationError extends refusal('ValidationException') {}

/** A pipeline, version, execution or callback token that does not exist: `ResourceNotFound`. */
export class NotFoundError extends refusal('ResourceNotFound') {}

/** A request that conflicts with the resource's state: `ConflictException`. */
export class ConflictError extends refusal('ConflictException') {}

/** A quota reached: `ResourceLimitExceeded`. */
export class LimitExceededError extends refusal('ResourceLimitExceeded') {}

/** A rate limit reached: `ThrottlingException`. */
export class ThrottlingError extends refusal('ThrottlingException') {}

/** An operation the local runtime does not serve: `UnknownOperationException`. */
export class UnsupportedOperationError extends refusal('UnknownOperationException') {}
