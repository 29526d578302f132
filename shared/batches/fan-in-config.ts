import { ConfigError } from '../errors';

type Env = Readonly<Record<string, string | undefined>>;

/** Where batches write results, read once when a batch function loads. */
export interface FanInConfig {
  /** The results bucket (`BATCH_RESULTS_BUCKET`); none set: no manifest is written. */
  resultsBucket: string | undefined;
  /** Key prefix of the manifests (`BATCH_RESULTS_PREFIX`, the `resultsPrefix` deploy parameter). */
  resultsPrefix: string;
  /** Another S3 endpoint (`S3_ENDPOINT`): the local S3-compatible server. */
  s3Endpoint: string | undefined;
}

export const DEFAULT_RESULTS_PREFIX = 'batch-results';

const value = (env: Env, name: string): string | undefined => {
  const text = env[name];
  return text === undefined || text.trim() === '' ? undefined : text.trim();
};

/**
 * Reads the results settings.
 * @throws ConfigError when `BATCH_RESULTS_PREFIX` is not a plain S3 key prefix.
 */
export const fanInConfigFromEnvironment = (env: Env = process.env): FanInConfig => {
  const prefix = (value(env, 'BATCH_RESULTS_PREFIX') ?? DEFAULT_RESULTS_PREFIX).replace(
    /^\/+|\/+$/g,
    '',
  );
  if (prefix.length > 512 || !/^[A-Za-z0-9!_.*'()/-]*$/.test(prefix)) {
    throw new ConfigError(
      `Environment variable BATCH_RESULTS_PREFIX must be an S3 key prefix of letters, digits and !_.*'()/-, received ${JSON.stringify(prefix.slice(0, 40))}`,
    );
  }
  return {
    resultsBucket: value(env, 'BATCH_RESULTS_BUCKET'),
    resultsPrefix: prefix,
    s3Endpoint: value(env, 'S3_ENDPOINT'),
  };
};
