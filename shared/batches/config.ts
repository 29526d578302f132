import { ConfigError } from '../errors';
import { ALLOWED_PIPELINES_ENV, type AllowList, parseAllowList } from '../fan-out/allow-list';

type Env = Readonly<Record<string, string | undefined>>;

/** What every batch function reads once, when its module loads. */
export interface BatchConfig {
  /** The ledger table (`BATCH_TABLE_NAME`). */
  tableName: string;
  /** Children all batches may run at once (`BATCH_ACCOUNT_CONCURRENCY_LIMIT`, default 15). */
  accountLimit: number;
  /** How long a finished batch is kept (`BATCH_RETENTION_DAYS`, default 30). */
  retentionSeconds: number;
  /** How old a claim must be before the reconciler takes it over (`BATCH_RECOVERY_GRACE_SECONDS`). */
  recoveryGraceMs: number;
  /** Child pipelines batches may start (`FAN_OUT_ALLOWED_PIPELINES`, as the fan-out's). */
  allowList: AllowList;
  /** Another DynamoDB endpoint (`DYNAMODB_ENDPOINT`): dynalite in local mode. */
  dynamoDbEndpoint: string | undefined;
  /** Another SageMaker endpoint (`SAGEMAKER_ENDPOINT`): the local runtime. */
  sageMakerEndpoint: string | undefined;
}

export const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 15;
export const DEFAULT_RETENTION_DAYS = 30;
/** Longer than the longest batch function timeout (batch-reconcile, 300 s). */
export const DEFAULT_RECOVERY_GRACE_SECONDS = 600;

const value = (env: Env, name: string): string | undefined => {
  const text = env[name];
  return text === undefined || text.trim() === '' ? undefined : text.trim();
};

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const text = value(env, name);
  if (text === undefined) return fallback;
  const parsed = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(
      `Environment variable ${name} must be an integer from ${min} to ${max}, received ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return parsed;
};

/**
 * Reads the batch functions' configuration.
 * @throws ConfigError naming the variable that is missing or malformed.
 */
export const batchConfigFromEnvironment = (env: Env = process.env): BatchConfig => {
  const tableName = value(env, 'BATCH_TABLE_NAME');
  if (tableName === undefined) {
    throw new ConfigError('Environment variable BATCH_TABLE_NAME is required');
  }
  let allowList: AllowList;
  try {
    allowList = parseAllowList(value(env, ALLOWED_PIPELINES_ENV));
  } catch (cause) {
    throw new ConfigError(
      `Environment variable ${ALLOWED_PIPELINES_ENV}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return {
    tableName,
    accountLimit: integer(
      env,
      'BATCH_ACCOUNT_CONCURRENCY_LIMIT',
      DEFAULT_ACCOUNT_CONCURRENCY_LIMIT,
      1,
      10_000,
    ),
    retentionSeconds:
      integer(env, 'BATCH_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 1, 3_650) * 86_400,
    recoveryGraceMs:
      integer(env, 'BATCH_RECOVERY_GRACE_SECONDS', DEFAULT_RECOVERY_GRACE_SECONDS, 1, 86_400) *
      1_000,
    allowList,
    dynamoDbEndpoint: value(env, 'DYNAMODB_ENDPOINT'),
    sageMakerEndpoint: value(env, 'SAGEMAKER_ENDPOINT'),
  };
};
