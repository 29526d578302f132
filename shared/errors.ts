import { escapeControlCharacters, truncate } from './describe-value';
import { MAX_FAILURE_REASON_LENGTH } from './limits';

/**
 * Errors shared by every function. Each sets `name`, keeps the `cause` and puts the
 * offending value in its message, so the line SageMaker shows as a step's failure
 * reason is enough to find the problem.
 */

/** One problem found in a request or event: which field, and what is wrong with it. */
export interface FieldProblem {
  /** Dotted path of the field, `items[3].name`; `(event)` for the event itself. */
  field: string;
  /** What was expected and what was received, in words. */
  problem: string;
}

/** Longest field name shown in a message: room for a path like `items[9999].a.b.c` and more. */
const MAX_FIELD_SHOWN = 120;

const detail = (p: FieldProblem): string => `${p.field}: ${p.problem}`;

/**
 * Joins problems into one readable line of at most `limit` characters (after `prefix`).
 * Details are kept while they fit; the fields past that are still named, so the
 * reason SageMaker shows always says which fields to fix.
 */
export const formatProblems = (
  problems: readonly FieldProblem[],
  limit = Number.POSITIVE_INFINITY,
): string => {
  const details = problems.map(detail);
  const full = details.join('; ');
  if (full.length <= limit) return full;
  // Lengths of "d0; d1; ..." for the first k details and of "f_k, f_k+1, ..." for the
  // remaining names, built in one pass each so 10,000 problems stay linear.
  const headLength = [0];
  for (const [i, text] of details.entries()) {
    headLength.push((headLength[i] ?? 0) + text.length + (i > 0 ? 2 : 0));
  }
  const namesLength: number[] = new Array(problems.length + 1).fill(0);
  for (let i = problems.length - 1; i >= 0; i--) {
    const field = problems[i]?.field ?? '';
    namesLength[i] = (namesLength[i + 1] ?? 0) + field.length + (i < problems.length - 1 ? 2 : 0);
  }
  for (let kept = problems.length - 1; kept >= 0; kept--) {
    const tailLength = (kept > 0 ? 2 : 0) + 'also invalid: '.length + (namesLength[kept] ?? 0);
    if ((headLength[kept] ?? 0) + tailLength <= limit) {
      const head = details.slice(0, kept).join('; ');
      const names = problems.slice(kept).map((p) => p.field);
      return `${head}${kept > 0 ? '; ' : ''}also invalid: ${names.join(', ')}`;
    }
  }
  // Even the bare names do not fit: name as many as fit and count the others.
  let text = 'invalid fields:';
  for (const [index, problem] of problems.entries()) {
    const more = ` and ${problems.length - index} more`;
    const next = `${index > 0 ? ',' : ''} ${problem.field}`;
    if (text.length + next.length + more.length > limit) return text + more;
    text += next;
  }
  return text;
};

/**
 * The base of every error this package throws. A subclass sets `name` as a field
 * (`override readonly name = 'SomethingError'`: bundles are minified, so the class's own
 * name cannot be relied on) and passes `cause` on.
 */
export abstract class SagemakerPipelineLambdasError extends Error {
  abstract override readonly name: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The event or request does not satisfy the function's input contract. */
export class InputValidationError extends SagemakerPipelineLambdasError {
  override readonly name = 'InputValidationError';
  readonly problems: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[], options?: { cause?: unknown; subject?: string }) {
    const subject = options?.subject ?? 'input';
    const head = `Invalid ${subject} (${problems.length} problem${problems.length === 1 ? '' : 's'}): `;
    // Field names and values come from the event: escape them so the reason stays one
    // line, and cut a field name so a huge key still leaves room to name every field.
    const printable = problems.map((p) => ({
      field: truncate(escapeControlCharacters(p.field), MAX_FIELD_SHOWN),
      problem: escapeControlCharacters(p.problem),
    }));
    super(head + formatProblems(printable, MAX_FAILURE_REASON_LENGTH - head.length), {
      cause: options?.cause,
    });
    this.problems = problems;
  }
}

/** The function returned outputs that break its own declared contract: a defect, never input's fault. */
export class OutputContractError extends SagemakerPipelineLambdasError {
  override readonly name = 'OutputContractError';
  readonly output: string;

  constructor(output: string, problem: string, options?: { cause?: unknown }) {
    super(`Output ${output} breaks the step's contract: ${problem}`, options);
    this.output = output;
  }
}

/** A structured output does not fit in one LambdaStep output value. */
export class OutputTooLargeError extends SagemakerPipelineLambdasError {
  override readonly name = 'OutputTooLargeError';
  readonly output: string;
  readonly length: number;
  readonly limit: number;

  constructor(output: string, length: number, limit: number, options?: { cause?: unknown }) {
    super(
      `Output ${output} is ${length} characters as JSON, ${length - limit} over the ${limit}-character limit of a LambdaStep output value; store the data in S3 and return its URI instead`,
      options,
    );
    this.output = output;
    this.length = length;
    this.limit = limit;
  }
}

/** A LambdaStep definition itself is wrong (found at module load, before any invocation). */
export class ContractDefinitionError extends SagemakerPipelineLambdasError {
  override readonly name = 'ContractDefinitionError';
}

/** Required configuration is missing or malformed. */
export class ConfigError extends SagemakerPipelineLambdasError {
  override readonly name = 'ConfigError';
}
