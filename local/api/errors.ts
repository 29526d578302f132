/**
 * Errors the local runtime answers with, named exactly as SageMaker names them on the wire
 * (`__type`), so that `@aws-sdk/client-sagemaker` surfaces `error.name === 'ResourceNotFound'` etc.
 */
export type ApiErrorType =
  | 'ValidationException'
  | 'ResourceNotFound'
  | 'ResourceLimitExceeded'
  | 'ConflictException'
  | 'ThrottlingException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalFailure';

/** An API-level failure: carries the wire error type and HTTP status to answer with. */
export class SageMakerApiError extends Error {
  override name = 'SageMakerApiError';
  readonly type: ApiErrorType;
  readonly status: number;

  constructor(type: ApiErrorType, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.type = type;
    this.status = options?.status ?? (type === 'InternalFailure' ? 500 : 400);
  }
}

/** `ValidationException` (HTTP 400). */
export function validationError(message: string, cause?: unknown): SageMakerApiError {
  return new SageMakerApiError('ValidationException', message, { cause });
}

/** `ResourceNotFound` (HTTP 400), SageMaker's name for a missing pipeline or execution. */
export function notFoundError(message: string): SageMakerApiError {
  return new SageMakerApiError('ResourceNotFound', message);
}

/** `ConflictException` (HTTP 400). */
export function conflictError(message: string): SageMakerApiError {
  return new SageMakerApiError('ConflictException', message);
}
