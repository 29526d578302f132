import { type FieldProblem, InputValidationError } from '../../errors';
import type { SourceProblem } from './entries';

/** Problems reported at most; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 1_000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `itemsFrom[row 7].region`: where in the source, and which field of the item. */
export const sourceField = (at: string, field?: string): string => {
  const head = at === '' ? 'itemsFrom' : `itemsFrom[${at}]`;
  if (field === undefined || field === '') return head;
  return field
    .split('.')
    .reduce(
      (path, key) => (IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`),
      head,
    );
};

/** The first {@link MAX_REPORTED_PROBLEMS} problems of a source, and how many there were. */
export class SourceProblems {
  private readonly kept: FieldProblem[] = [];
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(problem: Pick<SourceProblem, 'at' | 'field' | 'problem'>): void {
    this.total++;
    if (this.kept.length < MAX_REPORTED_PROBLEMS) {
      this.kept.push({ field: sourceField(problem.at, problem.field), problem: problem.problem });
    }
  }

  /** Every problem kept, and a last one counting those left out. */
  list(): FieldProblem[] {
    const left = this.total - this.kept.length;
    return left > 0
      ? [
          ...this.kept,
          {
            field: 'itemsFrom',
            problem: `${left} more problem${left === 1 ? '' : 's'} not listed (the first ${MAX_REPORTED_PROBLEMS} are)`,
          },
        ]
      : [...this.kept];
  }

  toError(): InputValidationError {
    return new InputValidationError(this.list(), { subject: 'batch request' });
  }
}
