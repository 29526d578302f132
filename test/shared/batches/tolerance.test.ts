import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { batchRequestSchema, planBatch } from '../../../shared/batches/request';
import { toleranceExceeded, toleratedFailures } from '../../../shared/batches/tolerance';

describe('failure tolerance', () => {
  it('tolerates no failure by default', () => {
    expect(toleratedFailures({}, 60)).toBe(0);
    expect(toleranceExceeded({}, 0, 60)).toBe(false);
    expect(toleranceExceeded({}, 1, 60)).toBe(true);
  });

  it('counts, percentages (rounded down) and the lower of both when both are given', () => {
    expect(toleratedFailures({ toleratedFailureCount: 2 }, 60)).toBe(2);
    expect(toleratedFailures({ toleratedFailurePercentage: 5 }, 60)).toBe(3);
    expect(toleratedFailures({ toleratedFailurePercentage: 10 }, 15)).toBe(1);
    expect(toleratedFailures({ toleratedFailurePercentage: 100 }, 7)).toBe(7);
    expect(
      toleratedFailures({ toleratedFailureCount: 2, toleratedFailurePercentage: 50 }, 60),
    ).toBe(2);
    expect(toleranceExceeded({ toleratedFailureCount: 2 }, 3, 60)).toBe(true);
    expect(toleranceExceeded({ toleratedFailureCount: 2 }, 2, 60)).toBe(false);
  });

  it('accepts the fields as numbers or strings (Callback arguments are strings) and names bad ones', () => {
    const parsed = v.parse(batchRequestSchema, {
      pipelines: '["child-pipeline-1"]',
      items: '["a"]',
      toleratedFailureCount: '2',
      toleratedFailurePercentage: '12.5',
    });
    expect(parsed).toMatchObject({ toleratedFailureCount: 2, toleratedFailurePercentage: 12.5 });
    const bad = v.safeParse(batchRequestSchema, {
      pipelines: ['child-pipeline-1'],
      items: ['a'],
      toleratedFailureCount: -1,
      toleratedFailurePercentage: 101,
    });
    expect(bad.success).toBe(false);
    const paths = (bad.issues ?? []).map((issue) => issue.path?.map((p) => p.key).join('.'));
    expect(paths).toEqual(['toleratedFailureCount', 'toleratedFailurePercentage']);
  });

  it('is part of the request fingerprint', () => {
    const base = { pipelines: ['child-pipeline-1'], items: ['a'] };
    const without = planBatch(v.parse(batchRequestSchema, base), 'k');
    const withCount = planBatch(
      v.parse(batchRequestSchema, { ...base, toleratedFailureCount: 1 }),
      'k',
    );
    expect(withCount.fingerprint).not.toBe(without.fingerprint);
  });
});
