import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ResultsStore } from './fan-in';

/**
 * S3's smallest part of a multipart upload, but for the last: 5 MiB ("Amazon S3 multipart
 * upload limits", S3 User Guide).
 */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface S3ResultsOptions {
  bucket: string;
  /** Bytes per part, at least {@link MIN_PART_BYTES}. */
  partBytes?: number;
}

/**
 * Results manifests in S3, streamed: lines are gathered into one part at a time and sent
 * with UploadPart, so memory holds one part whatever the manifest's size. A manifest
 * smaller than one part is one PutObject. A failed upload is aborted, leaving no parts.
 */
export const s3ResultsStore = (client: S3Client, options: S3ResultsOptions): ResultsStore => {
  const Bucket = options.bucket;
  const partBytes = Math.max(options.partBytes ?? 8 * 1024 * 1024, MIN_PART_BYTES);
  const ContentType = 'application/x-ndjson';
  return {
    writeLines: async (Key, lines) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let uploadId: string | undefined;
      const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
      const flush = async () => {
        if (uploadId === undefined) {
          const created = await client.send(
            new CreateMultipartUploadCommand({ Bucket, Key, ContentType }),
          );
          uploadId = created.UploadId;
        }
        const PartNumber = parts.length + 1;
        const uploaded = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            PartNumber,
            Body: Buffer.concat(chunks, size),
          }),
        );
        parts.push({ ETag: uploaded.ETag, PartNumber });
        chunks = [];
        size = 0;
      };
      try {
        for await (const line of lines) {
          const chunk = Buffer.from(line, 'utf8');
          chunks.push(chunk);
          size += chunk.length;
          if (size >= partBytes) await flush();
        }
        if (uploadId === undefined) {
          await client.send(
            new PutObjectCommand({ Bucket, Key, ContentType, Body: Buffer.concat(chunks, size) }),
          );
        } else {
          if (size > 0) await flush();
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        }
      } catch (error) {
        if (uploadId !== undefined) {
          await client
            .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
            .catch(() => undefined);
        }
        throw error;
      }
      return `s3://${Bucket}/${Key}`;
    },
  };
};
