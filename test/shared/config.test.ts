import { describe, expect, it } from 'vitest';
import {
  awsRegion,
  batchTableName,
  configFromEnvironment,
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_REGION,
  DEFAULT_SERVICE_NAME,
} from '../../shared/config';
import { ConfigError } from '../../shared/errors';

describe('configFromEnvironment', () => {
  it('gives the defaults for an empty environment', () => {
    expect(configFromEnvironment({})).toEqual({
      logging: { serviceName: DEFAULT_SERVICE_NAME, logLevel: 'INFO' },
      metrics: { namespace: DEFAULT_METRICS_NAMESPACE, disabled: false },
      aws: { region: DEFAULT_REGION },
      allowedPipelines: { kind: 'none' },
      batches: {
        tableName: undefined,
        accountLimit: 15,
        retentionSeconds: 30 * 86_400,
        recoveryGraceMs: 600_000,
        resultsBucket: undefined,
        resultsPrefix: 'batch-results',
      },
    });
  });

  it("reads the batch functions' variables", () => {
    const config = configFromEnvironment({
      BATCH_TABLE_NAME: ' ledger ',
      BATCH_ACCOUNT_CONCURRENCY_LIMIT: '20',
      BATCH_RETENTION_DAYS: '2',
      BATCH_RECOVERY_GRACE_SECONDS: '5',
      BATCH_RESULTS_BUCKET: 'results',
      BATCH_RESULTS_PREFIX: '/runs/nightly/',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
    });
    expect(config.batches).toEqual({
      tableName: 'ledger',
      accountLimit: 20,
      retentionSeconds: 2 * 86_400,
      recoveryGraceMs: 5_000,
      resultsBucket: 'results',
      resultsPrefix: 'runs/nightly',
    });
    expect(config.aws.dynamoDbEndpoint).toBe('http://127.0.0.1:4567');
    expect(config.aws.s3Endpoint).toBe('http://127.0.0.1:4568');
    expect(() => configFromEnvironment({ BATCH_RESULTS_PREFIX: 'a b' })).toThrow(
      /BATCH_RESULTS_PREFIX: expected an S3 key prefix/,
    );
    expect(batchTableName(config)).toBe('ledger');
  });

  it('names BATCH_TABLE_NAME when a batch function has none', () => {
    expect(() => batchTableName(configFromEnvironment({ BATCH_TABLE_NAME: ' ' }))).toThrow(
      new ConfigError('BATCH_TABLE_NAME: required by the batch functions, received nothing'),
    );
  });

  it('reads every variable a function uses, empty values counting as unset', () => {
    const config = configFromEnvironment({
      POWERTOOLS_SERVICE_NAME: 'svc',
      POWERTOOLS_LOG_LEVEL: 'debug',
      POWERTOOLS_METRICS_NAMESPACE: 'Ns',
      POWERTOOLS_METRICS_DISABLED: 'TRUE',
      AWS_REGION: 'eu-west-1',
      SAGEMAKER_ENDPOINT: 'http://127.0.0.1:3010',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: '',
      FAN_OUT_ALLOWED_PIPELINES: 'child-a, child-b',
    });
    expect(config).toMatchObject({
      logging: { serviceName: 'svc', logLevel: 'DEBUG' },
      metrics: { namespace: 'Ns', disabled: true },
      aws: {
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:3010',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
      allowedPipelines: { kind: 'names', names: new Set(['child-a', 'child-b']) },
    });
  });

  it('treats every variable set to an empty value as unset', () => {
    const names = [
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_METRICS_DISABLED',
      'AWS_REGION',
      'SAGEMAKER_ENDPOINT',
      'DYNAMODB_ENDPOINT',
      'S3_ENDPOINT',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'FAN_OUT_ALLOWED_PIPELINES',
      'BATCH_TABLE_NAME',
      'BATCH_ACCOUNT_CONCURRENCY_LIMIT',
      'BATCH_RETENTION_DAYS',
      'BATCH_RECOVERY_GRACE_SECONDS',
      'BATCH_RESULTS_BUCKET',
      'BATCH_RESULTS_PREFIX',
    ];
    expect(configFromEnvironment(Object.fromEntries(names.map((name) => [name, ''])))).toEqual(
      configFromEnvironment({}),
    );
  });

  it('reads a blank table or bucket name as unset, and the allowed pipelines case-insensitively', () => {
    const config = configFromEnvironment({
      BATCH_TABLE_NAME: '  ',
      BATCH_RESULTS_BUCKET: ' ',
      FAN_OUT_ALLOWED_PIPELINES: 'Child-A,,child-b,',
    });
    expect(config.batches.tableName).toBeUndefined();
    expect(config.batches.resultsBucket).toBeUndefined();
    expect(config.allowedPipelines).toEqual({
      kind: 'names',
      names: new Set(['child-a', 'child-b']),
    });
  });

  it('leaves credentials to the SDK unless both the key id and the secret are set', () => {
    expect(configFromEnvironment({ AWS_ACCESS_KEY_ID: 'id' }).aws.credentials).toBeUndefined();
    expect(
      configFromEnvironment({
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      }).aws.credentials,
    ).toEqual({ accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it.each([
    [
      { POWERTOOLS_LOG_LEVEL: 'loud' },
      'POWERTOOLS_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, received "loud"',
    ],
    [
      { POWERTOOLS_METRICS_DISABLED: 'maybe' },
      'POWERTOOLS_METRICS_DISABLED: expected true or false (or 1, y, yes, t, true, on, 0, n, no, f, false, off), received "maybe"',
    ],
    [
      { SAGEMAKER_ENDPOINT: '127.0.0.1:3010' },
      'SAGEMAKER_ENDPOINT: expected an http:// or https:// URL, received "127.0.0.1:3010"',
    ],
    [
      { FAN_OUT_ALLOWED_PIPELINES: 'child-a,*' },
      'FAN_OUT_ALLOWED_PIPELINES: must be comma-separated pipeline names or a lone *, received entry "*"',
    ],
    [
      { BATCH_ACCOUNT_CONCURRENCY_LIMIT: '0' },
      'BATCH_ACCOUNT_CONCURRENCY_LIMIT: expected a whole number from 1 to 10000, received "0"',
    ],
    [
      { BATCH_ACCOUNT_CONCURRENCY_LIMIT: '1.5' },
      'BATCH_ACCOUNT_CONCURRENCY_LIMIT: expected a whole number from 1 to 10000, received "1.5"',
    ],
    [
      { BATCH_RETENTION_DAYS: 'thirty' },
      'BATCH_RETENTION_DAYS: expected a whole number from 1 to 3650, received "thirty"',
    ],
    [
      { BATCH_RECOVERY_GRACE_SECONDS: '-1' },
      'BATCH_RECOVERY_GRACE_SECONDS: expected a whole number from 1 to 86400, received "-1"',
    ],
    [
      { DYNAMODB_ENDPOINT: 'localhost:4567' },
      'DYNAMODB_ENDPOINT: expected an http:// or https:// URL, received "localhost:4567"',
    ],
  ])('fails %j with one line naming the variable', (env, message) => {
    expect(() => configFromEnvironment(env)).toThrow(ConfigError);
    expect(() => configFromEnvironment(env)).toThrow(message);
  });
});

describe('awsRegion', () => {
  it(`is AWS_REGION, or ${DEFAULT_REGION} when it is unset or empty`, () => {
    expect(awsRegion({ AWS_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(awsRegion({ AWS_REGION: '' })).toBe(DEFAULT_REGION);
    expect(awsRegion({})).toBe(DEFAULT_REGION);
  });
});
