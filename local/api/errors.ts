/**
 * Errors the local runtime answers with on HTTP, named exactly as SageMaker names them on the wire
 * (`__type`), so that `@aws-sdk/client-sagemaker` surfaces `error.name === 'ResourceNotFound'` etc.
 */
import { LocalError, OperationError, type SageMakerErrorType } from '../errors';

export type ApiErrorType = SageMakerErrorType | 'SerializationException' | 'InternalFailure';

/** An API-level failure: carries the wire error type and HTTP status to answer with. */
export class SageMakerApiError extends LocalError {
  readonly type: ApiErrorType;
  readonly status: number;

  constructor(type: ApiErrorType, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.type = type;
    this.status = options?.status ?? (type === 'InternalFailure' ? 500 : 400);
  }
}

/**
 * The HTTP answer for an error: an operation's refusal is a 400 of its SageMaker type; anything
 * else is not the client's fault (undefined: the server answers InternalFailure without detail).
 */
export function toApiError(error: unknown): SageMakerApiError | undefined {
  if (error instanceof SageMakerApiError) return error;
  if (error instanceof OperationError) {
    return new SageMakerApiError(error.type, error.message, { cause: error });
  }
  return undefined;
}
