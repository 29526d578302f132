import { ConfigError } from './errors';
import { ALLOWED_PIPELINES_ENV, type AllowList, parseAllowList } from './fan-out/allow-list';

/** Environment variables as a function receives them (`process.env`, or a local runtime's copy). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The region when `AWS_REGION` is unset (Lambda always sets it; a developer's shell may not). */
export const DEFAULT_REGION = 'us-east-1';

/** The service name every log line and metric carries unless `POWERTOOLS_SERVICE_NAME` sets one. */
export const DEFAULT_SERVICE_NAME = 'sagemaker-pipeline-lambdas';

/** Namespace of the fan-out's CloudWatch metrics unless `POWERTOOLS_METRICS_NAMESPACE` sets one. */
export const DEFAULT_METRICS_NAMESPACE = 'SageMakerPipelineLambdas';

/** The Powertools Logger's levels (`LogLevelThreshold` in @aws-lambda-powertools/logger). */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingConfig {
  serviceName: string;
  logLevel: LogLevel;
}

export interface MetricsConfig {
  namespace: string;
  /** `POWERTOOLS_METRICS_DISABLED`: no EMF lines are written. */
  disabled: boolean;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and as whom a function's AWS clients call. */
export interface AwsConfig {
  region: string;
  /** `SAGEMAKER_ENDPOINT`: the local runtime or an emulator instead of SageMaker. */
  endpoint?: string;
  /** `DYNAMODB_ENDPOINT`: dynalite (local mode) or an emulator instead of DynamoDB. */
  dynamoDbEndpoint?: string;
  /** `S3_ENDPOINT`: the local S3-compatible server or an emulator instead of S3. */
  s3Endpoint?: string;
  /** From `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`; absent, the SDK's default provider chain. */
  credentials?: AwsCredentials;
}

export const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 15;
export const DEFAULT_RETENTION_DAYS = 30;
/** Longer than the longest batch function timeout (batch-reconcile, 300 s). */
export const DEFAULT_RECOVERY_GRACE_SECONDS = 600;

/** What the batch functions read (docs/batches.md, "Deploy parameters"). */
export interface BatchesConfig {
  /** `BATCH_TABLE_NAME`: the ledger table; required by the batch functions only. */
  tableName: string | undefined;
  /** `BATCH_ACCOUNT_CONCURRENCY_LIMIT` (default 15): children all batches may run at once. */
  accountLimit: number;
  /** `BATCH_RETENTION_DAYS` (default 30), in seconds: how long a finished batch is kept. */
  retentionSeconds: number;
  /** `BATCH_RECOVERY_GRACE_SECONDS` (default 600), in ms: how old a claim is before the reconciler takes it over. */
  recoveryGraceMs: number;
  /** `BATCH_RESULTS_BUCKET`: where results manifests go; unset, none is written. */
  resultsBucket: string | undefined;
  /** `BATCH_RESULTS_PREFIX` (default `batch-results`): `<prefix>/<batchId>/results.jsonl`. */
  resultsPrefix: string;
}

/** The key prefix of results manifests unless `BATCH_RESULTS_PREFIX` sets one. */
export const DEFAULT_RESULTS_PREFIX = 'batch-results';

/** Everything any function of this project reads from its environment, parsed once. */
export interface FunctionConfig {
  logging: LoggingConfig;
  metrics: MetricsConfig;
  aws: AwsConfig;
  /** `FAN_OUT_ALLOWED_PIPELINES`: the child pipelines a fan-out or batch may start. */
  allowedPipelines: AllowList;
  batches: BatchesConfig;
}

/** What a LambdaStep without AWS calls needs. */
export type StepConfig = Pick<FunctionConfig, 'logging'>;

/** What a fan-out function (step, HTTP API or schedule) needs. */
export type FanOutConfig = Pick<FunctionConfig, 'logging' | 'metrics' | 'aws' | 'allowedPipelines'>;

/** What a batch function (batch-api, batch-events, batch-reconcile, batch-submit) needs. */
export type BatchFunctionConfig = Pick<
  FunctionConfig,
  'logging' | 'aws' | 'allowedPipelines' | 'batches'
>;

/** Reads an optional environment variable, treating an empty value as unset. */
export const optionalEnv = (name: string, env: Environment = process.env): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** `AWS_REGION`, or {@link DEFAULT_REGION} when it is unset. */
export const awsRegion = (env: Environment = process.env): string =>
  optionalEnv('AWS_REGION', env) ?? DEFAULT_REGION;

const invalid = (name: string, problem: string, value: string): ConfigError =>
  new ConfigError(`${name}: ${problem}, received ${JSON.stringify(value.slice(0, 60))}`);

/**
 * `POWERTOOLS_LOG_LEVEL`, INFO when unset (Powertools' default). Given to the Logger explicitly, so
 * only Lambda's own log-level control (`AWS_LAMBDA_LOG_LEVEL`) overrides it, as Powertools does.
 */
const logLevelFrom = (env: Environment): LogLevel => {
  const value = optionalEnv('POWERTOOLS_LOG_LEVEL', env);
  if (value === undefined) return 'INFO';
  const level = LOG_LEVELS.find((candidate) => candidate === value.trim().toUpperCase());
  if (level === undefined) {
    throw invalid('POWERTOOLS_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`, value);
  }
  return level;
};

const TRUE_VALUES = ['1', 'y', 'yes', 't', 'true', 'on'];
const FALSE_VALUES = ['0', 'n', 'no', 'f', 'false', 'off'];

/** A boolean as Powertools reads one (`getBooleanFromEnv` with extended parsing). */
const booleanFrom = (env: Environment, name: string): boolean => {
  const value = optionalEnv(name, env);
  if (value === undefined) return false;
  const normalized = value.trim().toLowerCase();
  if (TRUE_VALUES.includes(normalized)) return true;
  if (FALSE_VALUES.includes(normalized)) return false;
  throw invalid(
    name,
    `expected true or false (or ${[...TRUE_VALUES, ...FALSE_VALUES].join(', ')})`,
    value,
  );
};

const endpointFrom = (env: Environment, name: string): string | undefined => {
  const value = optionalEnv(name, env);
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw invalid(name, 'expected an http:// or https:// URL', value);
  }
  return value;
};

/** A whole number from `min` to `max`, or `fallback` when unset. */
const integerFrom = (
  env: Environment,
  name: string,
  fallback: number,
  [min, max]: readonly [number, number],
): number => {
  const value = optionalEnv(name, env);
  if (value === undefined) return fallback;
  const parsed = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw invalid(name, `expected a whole number from ${min} to ${max}`, value);
  }
  return parsed;
};

/** `BATCH_RESULTS_PREFIX` without its outer slashes: a plain S3 key prefix. */
const resultsPrefixFrom = (env: Environment): string => {
  const value = optionalEnv('BATCH_RESULTS_PREFIX', env);
  if (value === undefined) return DEFAULT_RESULTS_PREFIX;
  const prefix = value.trim().replace(/^\/+|\/+$/g, '');
  if (prefix.length > 512 || !/^[A-Za-z0-9!_.*'()/-]*$/.test(prefix)) {
    throw invalid(
      'BATCH_RESULTS_PREFIX',
      "expected an S3 key prefix of letters, digits and !_.*'()/-",
      value,
    );
  }
  return prefix;
};

const batchesFrom = (env: Environment): BatchesConfig => ({
  tableName: optionalEnv('BATCH_TABLE_NAME', env)?.trim() || undefined,
  accountLimit: integerFrom(
    env,
    'BATCH_ACCOUNT_CONCURRENCY_LIMIT',
    DEFAULT_ACCOUNT_CONCURRENCY_LIMIT,
    [1, 10_000],
  ),
  retentionSeconds:
    integerFrom(env, 'BATCH_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, [1, 3_650]) * 86_400,
  recoveryGraceMs:
    integerFrom(env, 'BATCH_RECOVERY_GRACE_SECONDS', DEFAULT_RECOVERY_GRACE_SECONDS, [1, 86_400]) *
    1_000,
  resultsBucket: optionalEnv('BATCH_RESULTS_BUCKET', env)?.trim() || undefined,
  resultsPrefix: resultsPrefixFrom(env),
});

/**
 * The ledger table of a batch function's configuration.
 * @throws ConfigError `BATCH_TABLE_NAME: required by the batch functions` when it is unset.
 */
export const batchTableName = (config: Pick<FunctionConfig, 'batches'>): string => {
  if (config.batches.tableName === undefined) {
    throw new ConfigError('BATCH_TABLE_NAME: required by the batch functions, received nothing');
  }
  return config.batches.tableName;
};

const credentialsFrom = (env: Environment): AwsCredentials | undefined => {
  const accessKeyId = optionalEnv('AWS_ACCESS_KEY_ID', env);
  const secretAccessKey = optionalEnv('AWS_SECRET_ACCESS_KEY', env);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = optionalEnv('AWS_SESSION_TOKEN', env);
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
};

/**
 * Parses a function's configuration from its environment: once per container for a deployed
 * function (`handler = createHandler(configFromEnvironment())`), once per function and runtime
 * for the local runtime's in-process invoker.
 * @throws ConfigError `NAME: problem, received "value"` for the first malformed variable.
 */
export const configFromEnvironment = (env: Environment = process.env): FunctionConfig => {
  const endpoint = endpointFrom(env, 'SAGEMAKER_ENDPOINT');
  const dynamoDbEndpoint = endpointFrom(env, 'DYNAMODB_ENDPOINT');
  const s3Endpoint = endpointFrom(env, 'S3_ENDPOINT');
  const credentials = credentialsFrom(env);
  return {
    logging: {
      serviceName: optionalEnv('POWERTOOLS_SERVICE_NAME', env) ?? DEFAULT_SERVICE_NAME,
      logLevel: logLevelFrom(env),
    },
    metrics: {
      namespace: optionalEnv('POWERTOOLS_METRICS_NAMESPACE', env) ?? DEFAULT_METRICS_NAMESPACE,
      disabled: booleanFrom(env, 'POWERTOOLS_METRICS_DISABLED'),
    },
    aws: {
      region: awsRegion(env),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(dynamoDbEndpoint === undefined ? {} : { dynamoDbEndpoint }),
      ...(s3Endpoint === undefined ? {} : { s3Endpoint }),
      ...(credentials === undefined ? {} : { credentials }),
    },
    allowedPipelines: parseAllowList(optionalEnv(ALLOWED_PIPELINES_ENV, env)),
    batches: batchesFrom(env),
  };
};
