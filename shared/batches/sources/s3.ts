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
export const s3ObjectSource = (client: S3Client): ObjectSource => {
  /** Runs one S3 call, its errors as the port's for the object or prefix it names. */
  const call = async <T>(location: { bucket: string; key: string }, send: () => Promise<T>) => {
    try {
      return await send();
    } catch (error) {
      throw mapError(error, s3UriOf(location));
    }
  };
  return {
    headObject: async (location) => {
      const { bucket, key } = location;
      const out = await call(location, () =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
      );
      return { etag: out.ETag ?? '', size: out.ContentLength ?? 0 };
    },
    getObject: async ({ bucket, key, range, ifMatch }) => {
      const out = await call({ bucket, key }, () =>
        client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
            IfMatch: ifMatch,
          }),
        ),
      );
      return {
        body: (out.Body as AsyncIterable<Uint8Array> | undefined) ?? emptyBody,
        etag: out.ETag ?? '',
        size: totalOf(out.ContentRange) ?? out.ContentLength ?? 0,
      };
    },
    listObjectsV2: async ({ bucket, prefix, continuationToken, maxKeys }) => {
      const out = await call({ bucket, key: prefix }, () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: continuationToken,
            MaxKeys: maxKeys,
          }),
        ),
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
    },
  };
};
