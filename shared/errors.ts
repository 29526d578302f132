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

/** Joins problems into the single readable line used as an error message. */
export const formatProblems = (problems: readonly FieldProblem[]): string =>
  problems.map((p) => `${p.field}: ${p.problem}`).join('; ');

/** The event or request does not satisfy the function's input contract. */
export class InputValidationError extends Error {
  readonly problems: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[], options?: { cause?: unknown; subject?: string }) {
    const subject = options?.subject ?? 'input';
    super(
      `Invalid ${subject} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${formatProblems(problems)}`,
      { cause: options?.cause },
    );
    this.name = 'InputValidationError';
    this.problems = problems;
  }
}

/** The function returned outputs that break its own declared contract: a defect, never input's fault. */
export class OutputContractError extends Error {
  readonly output: string;

  constructor(output: string, problem: string, options?: { cause?: unknown }) {
    super(`Output ${output} breaks the step's contract: ${problem}`, options);
    this.name = 'OutputContractError';
    this.output = output;
  }
}

/** A structured output does not fit in one LambdaStep output value. */
export class OutputTooLargeError extends Error {
  readonly output: string;
  readonly length: number;
  readonly limit: number;

  constructor(output: string, length: number, limit: number, options?: { cause?: unknown }) {
    super(
      `Output ${output} is ${length} characters as JSON, ${length - limit} over the ${limit}-character limit of a LambdaStep output value; store the data in S3 and return its URI instead`,
      options,
    );
    this.name = 'OutputTooLargeError';
    this.output = output;
    this.length = length;
    this.limit = limit;
  }
}

/** A LambdaStep definition itself is wrong (found at module load, before any invocation). */
export class ContractDefinitionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContractDefinitionError';
  }
}

/** Required configuration is missing or malformed. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
