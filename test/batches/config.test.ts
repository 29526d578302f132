import { describe, expect, it } from 'vitest';
import { batchConfigFromEnvironment } from '../../shared/batches/config';
import { ConfigError } from '../../shared/errors';

const base = { BATCH_TABLE_NAME: 'ledger', FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1' };

describe('batchConfigFromEnvironment', () => {
  it('applies the documented defaults', () => {
    expect(batchConfigFromEnvironment(base)).toMatchObject({
      tableName: 'ledger',
      accountLimit: 15,
      retentionSeconds: 30 * 86_400,
      recoveryGraceMs: 600_000,
      allowList: { kind: 'names' },
      dynamoDbEndpoint: undefined,
    });
  });

  it('names the missing table variable', () => {
    expect(() => batchConfigFromEnvironment({})).toThrow(
      new ConfigError('Environment variable BATCH_TABLE_NAME is required'),
    );
  });

  it.each([
    ['BATCH_ACCOUNT_CONCURRENCY_LIMIT', '0'],
    ['BATCH_ACCOUNT_CONCURRENCY_LIMIT', '1.5'],
    ['BATCH_RETENTION_DAYS', 'thirty'],
    ['BATCH_RECOVERY_GRACE_SECONDS', '-1'],
    ['FAN_OUT_ALLOWED_PIPELINES', 'a,*'],
  ])('names %s when it holds %j', (name, value) => {
    expect(() => batchConfigFromEnvironment({ ...base, [name]: value })).toThrow(
      new RegExp(`^Environment variable ${name}`),
    );
  });
});
