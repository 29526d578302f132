import { describe, expect, it } from 'vitest';
import { formatProblems, InputValidationError } from '../../shared/errors';
import { MAX_FAILURE_REASON_LENGTH } from '../../shared/limits';

const problem = (i: number, detailLength = 40) => ({
  field: `items[${i}]`,
  problem: `expected a string, received ${'x'.repeat(detailLength)}`,
});

describe('formatProblems', () => {
  it('joins every problem with its detail when they fit', () => {
    expect(formatProblems([problem(0, 1), problem(1, 1)])).toBe(
      'items[0]: expected a string, received x; items[1]: expected a string, received x',
    );
  });

  it('keeps details while they fit, then names the remaining fields', () => {
    const problems = Array.from({ length: 10 }, (_, i) => problem(i));
    const text = formatProblems(problems, 300);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toContain('items[0]: expected a string');
    expect(text).toMatch(/also invalid: (items\[\d\], )*items\[9\]$/);
    for (let i = 0; i < 10; i++) expect(text).toContain(`items[${i}]`);
  });

  it('names as many fields as fit and counts the rest when even names overflow', () => {
    const problems = Array.from({ length: 10_000 }, (_, i) => problem(i));
    const text = formatProblems(problems, 200);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text).toMatch(/^invalid fields: items\[0\], items\[1\],.* and \d+ more$/);
    const named = (text.match(/items\[\d+\]/g) ?? []).length;
    expect(text).toContain(`and ${10_000 - named} more`);
  });
});

describe('InputValidationError', () => {
  it("fits its message in SageMaker's 1,024-character failure reason for 10,000 problems", () => {
    const error = new InputValidationError(Array.from({ length: 10_000 }, (_, i) => problem(i)));
    expect(error.message.length).toBeLessThanOrEqual(MAX_FAILURE_REASON_LENGTH);
    expect(error.message).toMatch(/^Invalid input \(10000 problems\): /);
    expect(error.problems).toHaveLength(10_000);
  });
});
