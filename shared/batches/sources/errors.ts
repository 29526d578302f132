import { BatchError } from '../errors';

/** The source named by `itemsFrom` does not exist: no such bucket, key or prefix. */
export class SourceNotFoundError extends BatchError {
  readonly uri: string;

  constructor(uri: string, options?: { cause?: unknown }) {
    super(`itemsFrom: ${uri} does not exist`, options);
    this.name = 'SourceNotFoundError';
    this.uri = uri;
  }
}

/** The source may not be read with this function's permissions. */
export class SourceAccessError extends BatchError {
  readonly uri: string;

  constructor(uri: string, options?: { cause?: unknown }) {
    super(`itemsFrom: access to ${uri} is denied`, options);
    this.name = 'SourceAccessError';
    this.uri = uri;
  }
}

/**
 * The source object changed while a batch read it (its entity tag is not the one the first
 * read saw). Nothing of what was read is used: re-submit once the object is final.
 */
export class SourceChangedError extends BatchError {
  readonly uri: string;

  constructor(uri: string, detail: string, options?: { cause?: unknown }) {
    super(
      `itemsFrom: ${uri} changed while it was read (${detail}); submit the batch again once the object no longer changes`,
      options,
    );
    this.name = 'SourceChangedError';
    this.uri = uri;
  }
}

/** A read ended early: the store answered fewer bytes than it said the object has. */
export class SourceReadError extends BatchError {
  readonly uri: string;

  constructor(uri: string, detail: string, options?: { cause?: unknown }) {
    super(`itemsFrom: ${uri} could not be read (${detail}); submit the batch again`, options);
    this.name = 'SourceReadError';
    this.uri = uri;
  }
}
