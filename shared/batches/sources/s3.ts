import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SourceAccessError, SourceChangedError, SourceNotFoundError } from './errors';
import type { ObjectSource } from './port';
import { s3UriOf } from './uri';

interface ServiceError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** S3's errors as the port's: 404 (`NoSuchKey`, `NoSuchBucket`, `NotFound`), 412 and 403. */
const mapError = (error: unknown, uri: string): unknown => {
  const { name, $metadata } = (error ?? {}) as ServiceError;
  const status = $metadata?.httpStatusCode;
  if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound' || status === 404) {
    return new SourceNotFoundError(uri, { cause: error });
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new SourceChangedError(uri, 'its entity tag no longer matches', { cause: error });
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return new SourceAccessError(uri, { cause: error });
  }
  return error;
};

/** `bytes 0-99/1234` to 1234. */
const totalOf = (contentRange: string | undefined): number | undefined => {
  const total = contentRange?.split('/')[1];
  return total === undefined || total === '*' ? undefined : Number(total);
};

const emptyBody: AsyncIterable<Uint8Array> = {
  async *[Symbol.asyncIterator]() {},
};

/** The read port over an S3 client (the client is made once per container, by the caller). */
export const s3ObjectSource = (client: S3Client): ObjectSource => ({
  headObject: async ({ bucket, key }) => {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { etag: out.ETag ?? '', size: out.ContentLength ?? 0 };
    } catch (error) {
      throw mapError(error, s3UriOf({ bucket, key }));
    }
  },
  getObject: async ({ bucket, key, range, ifMatch }) => {
    try {
      const out = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
          IfMatch: ifMatch,
        }),
      );
      const body = (out.Body as AsyncIterable<Uint8Array> | undefined) ?? emptyBody;
      return {
        body,
        etag: out.ETag ?? '',
        size: totalOf(out.ContentRange) ?? out.ContentLength ?? 0,
      };
    } catch (error) {
      throw mapError(error, s3UriOf({ bucket, key }));
    }
  },
  listObjectsV2: async ({ bucket, prefix, continuationToken, maxKeys }) => {
    try {
      const out = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
          MaxKeys: maxKeys,
        }),
      );
      return {
        objects: (out.Contents ?? []).map((object) => ({
          key: object.Key ?? '',
          size: object.Size ?? 0,
          etag: object.ETag ?? '',
          lastModified: object.LastModified?.toISOString() ?? '',
        })),
        nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    } catch (error) {
      throw mapError(error, s3UriOf({ bucket, key: prefix }));
    }
  },
});
