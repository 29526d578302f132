/** An `s3://bucket/key` URI, split. */
export interface S3Location {
  bucket: string;
  /** The key, or the prefix of a listing (may be empty: the whole bucket). */
  key: string;
}

/**
 * Bucket names as S3 allows them today: 3 to 63 characters of lowercase letters, digits,
 * dots and hyphens, starting and ending with a letter or digit ("Bucket naming rules",
 * Amazon S3 User Guide).
 */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Longest key S3 accepts, in UTF-8 bytes ("Naming Amazon S3 objects"). */
export const MAX_KEY_BYTES = 1024;

/** Parses `s3://bucket/key`; `undefined` when it is not one. */
export const parseS3Uri = (uri: string): S3Location | undefined => {
  if (!uri.startsWith('s3://')) return undefined;
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket) || Buffer.byteLength(key) > MAX_KEY_BYTES) return undefined;
  return { bucket, key };
};

export const s3UriOf = (location: S3Location): string => `s3://${location.bucket}/${location.key}`;
