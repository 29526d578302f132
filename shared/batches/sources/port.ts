/**
 * The read port item sources use: an object store read as S3 reads (ranged, conditional
 * `GetObject`, `HeadObject`, `ListObjectsV2` pages). The S3 adapter is `s3.ts`; tests use an
 * in-memory one. Writing objects is another port (the results manifest's).
 */

/** One object of a bucket. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/** What `HeadObject` tells about an object. */
export interface ObjectHead {
  /** The entity tag, as the store gives it (S3 quotes it: `"9b2cf5..."`). */
  etag: string;
  /** Size in bytes. */
  size: number;
}

/** A `GetObject` call: the whole object, or bytes `start..end` (both inclusive). */
export interface GetObjectInput extends ObjectRef {
  range?: { start: number; end: number };
  /** Answer only if the object's entity tag is still this one (`If-Match`). */
  ifMatch?: string;
}

/** A `GetObject` answer: the requested bytes as a stream. */
export interface ObjectBody {
  body: AsyncIterable<Uint8Array>;
  etag: string;
  /** Size in bytes of the whole object, not only of the range read. */
  size: number;
}

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  /** ISO 8601. */
  lastModified: string;
}

/** A `ListObjectsV2` call: up to `maxKeys` objects under `prefix`, after `continuationToken`. */
export interface ListObjectsInput {
  bucket: string;
  prefix: string;
  continuationToken?: string;
  maxKeys?: number;
}

/** One page of a listing; no `nextToken` on the last page. */
export interface ListPage {
  objects: ListedObject[];
  nextToken?: string;
}

/**
 * Reads objects. Implementations throw `SourceNotFoundError` (no such bucket or key),
 * `SourceChangedError` (an `ifMatch` that no longer holds) and `SourceAccessError` (access
 * denied); anything else as it comes.
 */
export interface ObjectSource {
  headObject(ref: ObjectRef): Promise<ObjectHead>;
  getObject(input: GetObjectInput): Promise<ObjectBody>;
  listObjectsV2(input: ListObjectsInput): Promise<ListPage>;
}
