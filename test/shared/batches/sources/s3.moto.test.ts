import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceChangedError, SourceNotFoundError } from '../../../../shared/batches/sources/errors';
import { openSource, readSource } from '../../../../shared/batches/sources/items';
import type { ObjectSource } from '../../../../shared/batches/sources/port';
import { s3ObjectSource } from '../../../../shared/batches/sources/s3';
import { startMoto } from '../../../support/moto';
import { itemsFrom, readAll } from './support/read';

const bucket = 'items-bucket';
let moto: Awaited<ReturnType<typeof startMoto>>;
let client: S3Client;
let source: ObjectSource;

const put = (key: string, body: string) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));

beforeAll(async () => {
  moto = await startMoto();
  client = new S3Client({
    endpoint: moto.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  source = s3ObjectSource(client);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(() => {
  client?.destroy();
  moto?.stop();
});

describe('the S3 adapter against moto_server', () => {
  it('reads JSON Lines, CSV and a JSON array in ranges', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ region: `region-${i}`, n: i }));
    await put('in/items.jsonl', `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
    await put(
      'in/items.csv',
      `region,n\r\n${items.map((item) => `"${item.region}",${item.n}`).join('\r\n')}\r\n`,
    );
    await put('in/items.json', JSON.stringify(items, null, 2));
    expect(
      await readAll(source, { uri: `s3://${bucket}/in/items.jsonl` }, { rangeBytes: 97 }),
    ).toEqual({
      items,
    });
    expect(
      await readAll(source, { uri: `s3://${bucket}/in/items.csv` }, { rangeBytes: 101 }),
    ).toEqual({
      items: items.map((item) => ({ region: item.region, n: String(item.n) })),
    });
    expect(
      await readAll(source, { uri: `s3://${bucket}/in/items.json` }, { rangeBytes: 64 }),
    ).toEqual({
      items,
    });
  });

  it('reports bad rows and an empty object', async () => {
    await put('bad.csv', 'region,n\na,1\nb\nc,3,4\n');
    expect(await readAll(source, { uri: `s3://${bucket}/bad.csv` })).toEqual({
      problems: [
        { field: 'itemsFrom[row 3]', problem: 'has 1 field; the header has 2 (region,n)' },
        { field: 'itemsFrom[row 4]', problem: 'has 3 fields; the header has 2 (region,n)' },
      ],
    });
    await put('empty.jsonl', '');
    expect(await readAll(source, { uri: `s3://${bucket}/empty.jsonl` })).toEqual({
      problems: [
        {
          field: 'itemsFrom',
          problem: `s3://${bucket}/empty.jsonl holds no items; a batch needs at least 1`,
        },
      ],
    });
  });

  it('lists a prefix across pages', async () => {
    const keys = Array.from(
      { length: 1_003 },
      (_, i) => `shards/${String(i).padStart(4, '0')}.bin`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => put(key, key)));
    }
    const result = await readAll(source, { uri: `s3://${bucket}/shards/`, list: 'objects' });
    if (!('items' in result)) throw new Error(JSON.stringify(result));
    expect(result.items.map((item) => (item as { key: string }).key)).toEqual(keys);
    expect(result.items[0]).toEqual({
      key: 'shards/0000.bin',
      size: 15,
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
      lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('refuses an object replaced while it is read (If-Match answered 412)', async () => {
    const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i })).join('\n');
    await put('changing.jsonl', text);
    let gets = 0;
    const replacing: ObjectSource = {
      ...source,
      getObject: async (input) => {
        gets++;
        if (gets === 2) await put('changing.jsonl', `${text}\n{"i":100}`);
        return source.getObject(input);
      },
    };
    const opened = await openSource(
      replacing,
      itemsFrom({ uri: `s3://${bucket}/changing.jsonl` }),
      {
        rangeBytes: 200,
      },
    );
    await expect(
      readSource(
        opened,
        () => [],
        () => undefined,
      ),
    ).rejects.toThrow(SourceChangedError);
  });

  it('says which source does not exist', async () => {
    await expect(
      openSource(source, itemsFrom({ uri: `s3://${bucket}/missing.jsonl` })),
    ).rejects.toThrow(new SourceNotFoundError(`s3://${bucket}/missing.jsonl`));
    const listing = await openSource(
      source,
      itemsFrom({ uri: 's3://no-such-bucket/p/', list: 'objects' }),
    );
    await expect(
      readSource(
        listing,
        () => [],
        () => undefined,
      ),
    ).rejects.toThrow(SourceNotFoundError);
  });
});
