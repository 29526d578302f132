import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startLocalS3 } from '../../local/s3';
import { MIN_PART_BYTES, s3ResultsStore } from '../../shared/batches/s3-results';

async function* lines(count: number, width: number) {
  for (let i = 0; i < count; i++) yield `${JSON.stringify({ i, pad: 'y'.repeat(width) })}\n`;
}

describe('local S3 (s3rver)', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3();
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('takes the results adapter’s streamed multipart upload and serves the object back', async () => {
    const store = s3ResultsStore(client, { bucket: s3.bucket, partBytes: MIN_PART_BYTES });
    const uri = await store.writeLines('batch-results/b1/results.jsonl', lines(7_000, 1_000));
    expect(uri).toBe(`s3://${s3.bucket}/batch-results/b1/results.jsonl`);
    const body = await (
      await client.send(
        new GetObjectCommand({ Bucket: s3.bucket, Key: 'batch-results/b1/results.jsonl' }),
      )
    ).Body?.transformToString();
    const got = (body ?? '').split('\n').filter(Boolean);
    expect(got).toHaveLength(7_000);
    expect(got.every((line, i) => JSON.parse(line).i === i)).toBe(true);
  }, 60_000);
});
