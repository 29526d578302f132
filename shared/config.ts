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
export function optionalEnv(name: string, env: Environment = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `AWS_REGION`, or {@link DEFAULT_REGION} when it is unset. */
export const awsRegion = (env: Environment = process.env): string =>
  optionalEnv('AWS_REGION', env) ?? DEFAULT_REGION;

/**
 * One variable: `fallback` when it is unset or empty, else what `parse` makes of it. A
 * parser runs only for the variables a function's environment sets, so a fan-out, which
 * sets no `BATCH_*` variable, never runs the batch functions' parsers.
 */
function setting<T>(
  env: Environment,
  name: string,
  fallback: T,
  parse: (value: string, name: string) => T,
): T {
  const value = optionalEnv(name, env);
  return value === undefined ? fallback : parse(value, name);
}

const invalid = (name: string, problem: string, value: string): ConfigError =>
  new ConfigError(`${name}: ${problem}, received ${JSON.stringify(value.slice(0, 60))}`);

const asIs = (value: string): string => value;

const trimmedOrUnset = (value: string): string | undefined => value.trim() || undefined;

/**
 * `POWERTOOLS_LOG_LEVEL`, INFO when unset (Powertools' default). Given to the Logger explicitly, so
 * only Lambda's own log-level control (`AWS_LAMBDA_LOG_LEVEL`) overrides it, as Powertools does.
 */
function parseLogLevel(value: string, name: string): LogLevel {
  const level = value.trim().toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw invalid(name, `expected one of ${LOG_LEVELS.join(', ')}`, value);
  }
  return level as LogLevel;
}

const TRUE_VALUES = ['1', 'y', 'yes', 't', 'true', 'on'];
const FALSE_VALUES = ['0', 'n', 'no', 'f', 'false', 'off'];

/** A boolean as Powertools reads one (`getBooleanFromEnv` with extended parsing). */
function parseBoolean(value: string, name: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (TRUE_VALUES.includes(normalized)) return true;
  if (FALSE_VALUES.includes(normalized)) return false;
  throw invalid(
    name,
    `expected true or false (or ${[...TRUE_VALUES, ...FALSE_VALUES].join(', ')})`,
    value,
  );
}

function parseEndpoint(value: string, name: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw invalid(name, 'expected an http:// or https:// URL', value);
  }
  return value;
}

/** A whole number from `min` to `max`. */
function parseWholeNumber(value: string, name: string, min: number, max: number): number {
  const parsed = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw invalid(name, `expected a whole number from ${min} to ${max}`, value);
  }
  return parsed;
}

/** `BATCH_RESULTS_PREFIX` without its outer slashes: a plain S3 key prefix. */
function parseResultsPrefix(value: string, name: string): string {
  const prefix = value.trim().replace(/^\/+|\/+$/g, '');
  if (prefix.length > 512 || !/^[A-Za-z0-9!_.*'()/-]*$/.test(prefix)) {
    throw invalid(name, "expected an S3 key prefix of letters, digits and !_.*'()/-", value);
  }
  return prefix;
}

/**
 * The ledger table of a batch function's configuration.
 * @throws ConfigError `BATCH_TABLE_NAME: required by the batch functions` when it is unset.
 */
export function batchTableName(config: Pick<FunctionConfig, 'batches'>): string {
  if (config.batches.tableName === undefined) {
    throw new ConfigError('BATCH_TABLE_NAME: required by the batch functions, received nothing');
  }
  return config.batches.tableName;
}

/**
 * Parses a function's configuration from its environment: once per container for a deployed
 * function (`handler = createHandler(configFromEnvironment())`), once per function and runtime
 * for the local runtime's in-process invoker.
 * @throws ConfigError `NAME: problem, received "value"` for the first malformed variable.
 */
export function configFromEnvironment(env: Environment = process.env): FunctionConfig {
  const aws: AwsConfig = { region: awsRegion(env) };
  const endpoint = setting(env, 'SAGEMAKER_ENDPOINT', undefined, parseEndpoint);
  if (endpoint !== undefined) aws.endpoint = endpoint;
  const dynamoDbEndpoint = setting(env, 'DYNAMODB_ENDPOINT', undefined, parseEndpoint);
  if (dynamoDbEndpoint !== undefined) aws.dynamoDbEndpoint = dynamoDbEndpoint;
  const s3Endpoint = setting(env, 'S3_ENDPOINT', undefined, parseEndpoint);
  if (s3Endpoint !== undefined) aws.s3Endpoint = s3Endpoint;
  const accessKeyId = setting(env, 'AWS_ACCESS_KEY_ID', undefined, asIs);
  const secretAccessKey = setting(env, 'AWS_SECRET_ACCESS_KEY', undefined, asIs);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = setting(env, 'AWS_SESSION_TOKEN', undefined, asIs);
    aws.credentials =
      sessionToken === undefined
        ? { accessKeyId, secretAccessKey }
        : { accessKeyId, secretAccessKey, sessionToken };
  }
  return {
    logging: {
      serviceName: setting(env, 'POWERTOOLS_SERVICE_NAME', DEFAULT_SERVICE_NAME, asIs),
      logLevel: setting(env, 'POWERTOOLS_LOG_LEVEL', 'INFO', parseLogLevel),
    },
    metrics: {
      namespace: setting(env, 'POWERTOOLS_METRICS_NAMESPACE', DEFAULT_METRICS_NAMESPACE, asIs),
      disabled: setting(env, 'POWERTOOLS_METRICS_DISABLED', false, parseBoolean),
    },
    aws,
    allowedPipelines: setting<AllowList>(
      env,
      ALLOWED_PIPELINES_ENV,
      { kind: 'none' },
      parseAllowList,
    ),
    batches: {
      tableName: setting(env, 'BATCH_TABLE_NAME', undefined, trimmedOrUnset),
      accountLimit: setting(
        env,
        'BATCH_ACCOUNT_CONCURRENCY_LIMIT',
        DEFAULT_ACCOUNT_CONCURRENCY_LIMIT,
        (value, name) => parseWholeNumber(value, name, 1, 10_000),
      ),
      retentionSeconds:
        setting(env, 'BATCH_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, (value, name) =>
          parseWholeNumber(value, name, 1, 3_650),
        ) * 86_400,
      recoveryGraceMs:
        setting(
          env,
          'BATCH_RECOVERY_GRACE_SECONDS',
          DEFAULT_RECOVERY_GRACE_SECONDS,
          (value, name) => parseWholeNumber(value, name, 1, 86_400),
        ) * 1_000,
      resultsBucket: setting(env, 'BATCH_RESULTS_BUCKET', undefined, trimmedOrUnset),
      resultsPrefix: setting(
        env,
        'BATCH_RESULTS_PREFIX',
        DEFAULT_RESULTS_PREFIX,
        parseResultsPrefix,
      ),
    },
  };
}
