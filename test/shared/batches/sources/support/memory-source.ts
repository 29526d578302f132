import { createHash } from 'node:crypto';
import {
  SourceChangedError,
  SourceNotFoundError,
} from '../../../../../shared/batches/sources/errors';
import type {
  GetObjectInput,
  ListObjectsInput,
  ObjectSource,
} from '../../../../../shared/batches/sources/port';

interface Stored {
  body: Uint8Array;
  etag: string;
  lastModified: string;
}

/**
 * An in-memory object store behind the read port, as S3 behaves for it: quoted MD5 entity
 * tags, inclusive ranges, `If-Match` answered with a 412, listings in key order by pages.
 * Bodies are streamed in `chunkBytes` pieces so readers meet chunk boundaries everywhere.
 */
export class MemorySource implements ObjectSource {
  readonly objects = new Map<string, Stored>();
  readonly calls: string[] = [];
  /** Runs before each `GetObject`, with the number of `GetObject` calls so far. */
  beforeGet: (calls: number) => void = () => undefined;
  private gets = 0;

  constructor(private readonly chunkBytes = 7) {}

  put(bucket: string, key: string, body: string | Uint8Array): void {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.objects.set(`${bucket}/${key}`, {
      body: bytes,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      lastModified: new Date(Date.UTC(2026, 11, 1, 10, 0, this.objects.size)).toISOString(),
    });
  }

  private find(bucket: string, key: string): Stored {
    const object = this.objects.get(`${bucket}/${key}`);
    if (object === undefined) throw new SourceNotFoundError(`s3://${bucket}/${key}`);
    return object;
  }

  async headObject({ bucket, key }: { bucket: string; key: string }) {
    this.calls.push(`head ${key}`);
    const object = this.find(bucket, key);
    return { etag: object.etag, size: object.body.byteLength };
  }

  async getObject({ bucket, key, range, ifMatch }: GetObjectInput) {
    this.gets++;
    this.beforeGet(this.gets);
    this.calls.push(`get ${key} ${range ? `${range.start}-${range.end}` : 'all'} ${ifMatch ?? ''}`);
    const object = this.find(bucket, key);
    if (ifMatch !== undefined && ifMatch !== object.etag) {
      throw new SourceChangedError(`s3://${bucket}/${key}`, 'its entity tag no longer matches');
    }
    const bytes = range
      ? object.body.subarray(range.start, Math.min(range.end + 1, object.body.byteLength))
      : object.body;
    const chunkBytes = this.chunkBytes;
    return {
      etag: object.etag,
      size: object.body.byteLength,
      body: (async function* () {
        for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
          yield bytes.subarray(at, at + chunkBytes);
        }
      })(),
    };
  }

  async listObjectsV2({ bucket, prefix, continuationToken, maxKeys = 1000 }: ListObjectsInput) {
    this.calls.push(`list ${prefix} ${continuationToken ?? ''}`);
    const keys = [...this.objects.keys()]
      .filter((name) => name.startsWith(`${bucket}/${prefix}`))
      .sort();
    const from = continuationToken === undefined ? 0 : Number(continuationToken);
    const page = keys.slice(from, from + maxKeys);
    return {
      objects: page.map((name) => {
        const object = this.objects.get(name) as Stored;
        return {
          key: name.slice(bucket.length + 1),
          size: object.body.byteLength,
          etag: object.etag,
          lastModified: object.lastModified,
        };
      }),
      nextToken: from + maxKeys < keys.length ? String(from + maxKeys) : undefined,
    };
  }
}
