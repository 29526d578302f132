import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PART_BYTES, s3ResultsStore } from '../../../shared/batches/s3-results';
import { startMoto } from '../../support/moto';

async function* linesOf(count: number, width: number, failAt?: number) {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error('the ledger went away');
    yield `${JSON.stringify({ index: i, pad: 'x'.repeat(width) })}\n`;
  }
}

describe('S3 results store (moto_server S3)', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let client: S3Client;
  const Bucket = 'batch-results';

  beforeAll(async () => {
    moto = await startMoto();
    client = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await client.send(new CreateBucketCommand({ Bucket }));
  }, 60_000);
  afterAll(() => {
    client?.destroy();
    moto?.stop();
  });

  const read = async (Key: string) =>
    (await client.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString();

  it('writes a small manifest in one request and returns its s3:// URI', async () => {
    const store = s3ResultsStore(client, { bucket: Bucket });
    const uri = await store.writeLines('results/abc/results.jsonl', linesOf(3, 1));
    expect(uri).toBe('s3://batch-results/results/abc/results.jsonl');
    const text = await read('results/abc/results.jsonl');
    expect(
      text
        ?.split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).index),
    ).toEqual([0, 1, 2]);
  });

  it('streams a manifest larger than a part as a multipart upload, lines intact and in order', async () => {
    const store = s3ResultsStore(client, { bucket: Bucket, partBytes: MIN_PART_BYTES });
    const count = 12_000;
    await store.writeLines('results/big/results.jsonl', linesOf(count, 1_000));
    const text = (await read('results/big/results.jsonl')) ?? '';
    expect(text.length).toBeGreaterThan(2 * MIN_PART_BYTES);
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(count);
    expect(JSON.parse(lines[count - 1] as string).index).toBe(count - 1);
    expect(lines.every((line, i) => JSON.parse(line).index === i)).toBe(true);
  }, 60_000);

  it('aborts the upload when the lines fail midway: no object, no parts left behind', async () => {
    const store = s3ResultsStore(client, { bucket: Bucket, partBytes: MIN_PART_BYTES });
    await expect(
      store.writeLines('results/broken/results.jsonl', linesOf(12_000, 1_000, 8_000)),
    ).rejects.toThrow('the ledger went away');
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await expect(read('results/broken/results.jsonl')).rejects.toThrow();
  }, 60_000);
});
