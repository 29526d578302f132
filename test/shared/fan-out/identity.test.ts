import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_ID_PATTERN,
  batchIdOf,
  canonicalJson,
  clientRequestToken,
  displayNameMatcher,
  displayNameOf,
  pipelineNameOf,
  sanitizeDisplayNamePrefix,
} from '../../../shared/fan-out/identity';
import {
  MAX_CLIENT_REQUEST_TOKEN_LENGTH,
  MAX_PIPELINE_EXECUTION_NAME_LENGTH,
  MIN_CLIENT_REQUEST_TOKEN_LENGTH,
  PIPELINE_EXECUTION_NAME_PATTERN,
} from '../../../shared/limits';

const MAX_INDEX = 9_999;

describe('batch id', () => {
  it('is 12 hex digits, the same for the same key and different for another', () => {
    const key = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/abc';
    expect(batchIdOf(key)).toMatch(BATCH_ID_PATTERN);
    expect(batchIdOf(key)).toBe(batchIdOf(key));
    expect(batchIdOf(`${key}x`)).not.toBe(batchIdOf(key));
  });
});

describe('ClientRequestToken', () => {
  const token = (key: string, pipeline: string, index: number, item: unknown) =>
    clientRequestToken(key, pipeline, index, canonicalJson(item));

  it('is deterministic and within the 32 to 128 characters of IdempotencyToken', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.nat(MAX_INDEX),
        fc.jsonValue(),
        (key, pipeline, index, item) => {
          const first = token(key, pipeline, index, item);
          expect(first).toBe(token(key, pipeline, index, structuredClone(item)));
          expect(first.length).toBeGreaterThanOrEqual(MIN_CLIENT_REQUEST_TOKEN_LENGTH);
          expect(first.length).toBeLessThanOrEqual(MAX_CLIENT_REQUEST_TOKEN_LENGTH);
        },
      ),
    );
  });

  it('changes with the batch key, the pipeline, the index and the item', () => {
    const base = token('k', 'child-a', 1, { a: 1 });
    expect(token('k2', 'child-a', 1, { a: 1 })).not.toBe(base);
    expect(token('k', 'child-b', 1, { a: 1 })).not.toBe(base);
    expect(token('k', 'child-a', 2, { a: 1 })).not.toBe(base);
    expect(token('k', 'child-a', 1, { a: 2 })).not.toBe(base);
  });

  it('ignores the key order of an object item and whether the pipeline is named by ARN', () => {
    expect(token('k', 'child-a', 0, { a: 1, b: [1, { d: 1, c: 2 }] })).toBe(
      token('k', 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-a', 0, {
        b: [1, { c: 2, d: 1 }],
        a: 1,
      }),
    );
  });
});

describe('display names', () => {
  const batchIds = fc.string({ minLength: 1 }).map(batchIdOf);

  it('always match PipelineExecutionName, whatever the prefix', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        batchIds,
        fc.nat(MAX_INDEX),
        (prefix, batchId, index) => {
          const name = displayNameOf(sanitizeDisplayNamePrefix(prefix), batchId, index);
          expect(name).toMatch(PIPELINE_EXECUTION_NAME_PATTERN);
          expect(name.length).toBeLessThanOrEqual(MAX_PIPELINE_EXECUTION_NAME_LENGTH);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never collide within a batch and are recognised by the batch matcher', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        batchIds,
        fc.uniqueArray(fc.nat(MAX_INDEX), { minLength: 2, maxLength: 200 }),
        (prefix, batchId, indexes) => {
          const clean = sanitizeDisplayNamePrefix(prefix);
          const names = indexes.map((index) => displayNameOf(clean, batchId, index));
          expect(new Set(names).size).toBe(indexes.length);
          const matcher = displayNameMatcher(batchId);
          expect(names.map((name) => Number(matcher.exec(name)?.[1]))).toEqual(indexes);
        },
      ),
    );
  });

  it('turn underscores and other characters into single hyphens and cut long prefixes', () => {
    expect(sanitizeDisplayNamePrefix('__my_pipeline run.2__')).toBe('my-pipeline-run-2');
    expect(sanitizeDisplayNamePrefix('___')).toBe('');
    expect(sanitizeDisplayNamePrefix('a'.repeat(200)).length).toBe(82 - 12 - 4 - 2);
    expect(displayNameOf('', 'abcdef012345', 3)).toBe('abcdef012345-3');
  });

  it('are not matched for another batch', () => {
    const name = displayNameOf('run', batchIdOf('one'), 4);
    expect(displayNameMatcher(batchIdOf('two')).test(name)).toBe(false);
  });
});

describe('pipeline names', () => {
  it('takes the name from a pipeline ARN and leaves a name alone', () => {
    expect(pipelineNameOf('arn:aws:sagemaker:eu-west-1:123456789012:pipeline/my-child')).toBe(
      'my-child',
    );
    expect(pipelineNameOf('my-child')).toBe('my-child');
  });
});
