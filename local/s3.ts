/**
 * Local S3 for results manifests: @20minutes/s3rver, the maintained fork of s3rver (4.x
 * supports Node 20; its 5.x needs Node 24), a Koa server speaking S3's REST API with
 * multipart uploads, storing objects under a folder. The results code is the same as on AWS:
 * the S3 adapter pointed at this endpoint (`S3_ENDPOINT`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { DUMMY_ACCOUNT } from '@20minutes/s3rver/lib/models/account.js';
import { LOCAL_AWS_ENV } from './invokers/in-process';

/** The bucket made when none is named. */
export const LOCAL_RESULTS_BUCKET = 'local-batch-results';

export interface LocalS3 {
  endpoint: string;
  /** The first bucket. */
  bucket: string;
  buckets: string[];
  /** Where the objects are on disk. */
  directory: string;
  stop(): Promise<void>;
}

/**
 * Starts the S3 server on 127.0.0.1 (`port` 0 picks a free one) with the buckets.
 * Objects go to `directory`, or to a temporary folder removed on stop.
 */
export async function startLocalS3(
  options: {
    port?: number;
    directory?: string;
    /** Buckets to create (default {@link LOCAL_RESULTS_BUCKET}). */
    buckets?: readonly string[];
    /** Access keys it accepts besides the local runtime's (id, secret). */
    accessKeys?: ReadonlyArray<readonly [string, string]>;
  } = {},
): Promise<LocalS3> {
  const buckets = options.buckets?.length ? [...options.buckets] : [LOCAL_RESULTS_BUCKET];
  const owned = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'local-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  // s3rver knows one key pair (S3RVER). Functions sign with the local runtime's dummy keys, or
  // with the shell's when it has some (the in-process invoker and serverless-offline pass them on).
  const shell = process.env;
  for (const [id, secret] of [
    [LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID ?? 'local', LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY ?? 'local'],
    ...(shell.AWS_ACCESS_KEY_ID && shell.AWS_SECRET_ACCESS_KEY
      ? [[shell.AWS_ACCESS_KEY_ID, shell.AWS_SECRET_ACCESS_KEY] as const]
      : []),
    ...(options.accessKeys ?? []),
  ] as const) {
    DUMMY_ACCOUNT.createKeyPair(id, secret);
  }
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: buckets[0] ?? LOCAL_RESULTS_BUCKET,
    buckets,
    directory,
    stop: async () => {
      await server.close();
      if (owned) rmSync(directory, { recursive: true, force: true });
    },
  };
}
