import { asFailureReason } from '../fan-out/errors';

/** Base of every batch error: each sets `name` and keeps `cause`. */
export class BatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(asFailureReason(message), options);
    this.name = 'BatchError';
  }
}

/** The same batch key was used for a different request. Nothing was started for the new one. */
export class BatchConflictError extends BatchError {
  readonly batchId: string;
  readonly differences: readonly string[];

  constructor(batchId: string, differences: readonly string[], options?: { cause?: unknown }) {
    super(
      `Batch ${batchId} was submitted with the same key and a different request: ${differences.join('; ')}. Use a new key for a new batch.`,
      options,
    );
    this.name = 'BatchConflictError';
    this.batchId = batchId;
    this.differences = differences;
  }
}

/** A batch id that no batch has. */
export class BatchNotFoundError extends BatchError {
  readonly batchId: string;

  constructor(batchId: string, options?: { cause?: unknown }) {
    super(`No batch ${batchId}`, options);
    this.name = 'BatchNotFoundError';
    this.batchId = batchId;
  }
}

/** A batch's stored request cannot be read back: the ledger lost or never finished writing it. */
export class BatchRequestMissingError extends BatchError {
  constructor(batchId: string, part: number, options?: { cause?: unknown }) {
    super(`Batch ${batchId}: part ${part} of its stored request is missing`, options);
    this.name = 'BatchRequestMissingError';
  }
}

/** A page token that the ledger did not make, or made for another listing. */
export class InvalidPageTokenError extends BatchError {
  constructor(options?: { cause?: unknown }) {
    super('nextToken is not a token this listing returned', options);
    this.name = 'InvalidPageTokenError';
  }
}

/** An operation the batch's current status does not allow (a redrive while it runs). */
export class BatchStateError extends BatchError {
  readonly batchId: string;

  constructor(batchId: string, problem: string, options?: { cause?: unknown }) {
    super(`Batch ${batchId} ${problem}`, options);
    this.name = 'BatchStateError';
    this.batchId = batchId;
  }
}

/** A batch is writing its end; a message about it is retried once it has ended. */
export class BatchEndingError extends BatchError {
  readonly batchId: string;

  constructor(batchId: string, options?: { cause?: unknown }) {
    super(`Batch ${batchId} is ending; retry once it has ended`, options);
    this.name = 'BatchEndingError';
    this.batchId = batchId;
  }
}

/** A request names `itemsFrom` and this deployment was given no object store to read it. */
export class SourcesUnavailableError extends BatchError {
  constructor(options?: { cause?: unknown }) {
    super('itemsFrom cannot be read: this function has no object store configured', options);
    this.name = 'SourcesUnavailableError';
  }
}
