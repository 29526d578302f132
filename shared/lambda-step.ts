import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { describeValue, formatPath, truncate } from './describe-value';
import {
  ContractDefinitionError,
  type FieldProblem,
  InputValidationError,
  OutputContractError,
} from './errors';
import { MAX_OUTPUT_PARAMETERS, MAX_OUTPUT_VALUE_LENGTH, OUTPUT_NAME_PATTERN } from './limits';
import { logger as defaultLogger } from './logger';
import { characterLength } from './text-length';

/** The output types a pipeline definition's Lambda step can declare. */
export const OUTPUT_TYPES = ['String', 'Integer', 'Boolean', 'Float'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

type OutputValue<T extends OutputType> = T extends 'String'
  ? string
  : T extends 'Boolean'
    ? boolean
    : number;

/** The declared outputs: output name to its `OutputType`. */
export type OutputDeclaration = Readonly<Record<string, OutputType>>;

/** The object a step's `run` returns: exactly one value per declared output. */
export type StepOutputs<O extends OutputDeclaration> = { [K in keyof O]: OutputValue<O[K]> };

/** The input every step accepts besides its own: the parent's execution ARN, for log correlation. */
export const commonStepInput = z.object({
  pipelineExecutionArn: z.optional(
    z
      .string()
      .check(
        z.maxLength(2048),
        z.describe(
          'Execution.PipelineExecutionArn of the calling pipeline, added to every log line',
        ),
      ),
  ),
});

type StepSchema = z.ZodMiniObject;

/** What `run` receives besides its input. */
export interface StepRunContext {
  logger: typeof defaultLogger;
  context: Context;
}

/** Everything that defines a LambdaStep; `run` holds the logic and knows nothing of Lambda. */
export interface LambdaStepDefinition<S extends StepSchema, O extends OutputDeclaration> {
  /** The function's key in serverless.yml. */
  name: string;
  description: string;
  input: S;
  outputs: O;
  run: (input: z.output<S>, ctx: StepRunContext) => StepOutputs<O> | Promise<StepOutputs<O>>;
}

/** The contract a handler carries as data (for `contracts.json`, tests and benchmarks). */
export interface LambdaStepContract<S extends StepSchema, O extends OutputDeclaration>
  extends LambdaStepDefinition<S, O> {
  /** The schema actually applied to events: `input` plus the common inputs. */
  eventSchema: z.ZodMiniObject;
  /** The declaration as a pipeline definition's Lambda step writes it. */
  outputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
}

export type LambdaStepHandler<S extends StepSchema, O extends OutputDeclaration> = ((
  event: unknown,
  context: Context,
) => Promise<StepOutputs<O>>) & { contract: LambdaStepContract<S, O> };

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** `1 item`, `3 items`, `1 character`: a count with its unit for the schema's origin. */
const counted = (origin: string, count: number | bigint): string => {
  const unit =
    origin === 'string' ? 'character' : origin === 'array' || origin === 'set' ? 'item' : '';
  if (unit === '') return String(count);
  return `${String(count)} ${unit}${Number(count) === 1 ? '' : 's'}`;
};

const receivedSize = (origin: string, input: unknown): string => {
  if (origin === 'string' && typeof input === 'string') return counted(origin, input.length);
  if (origin === 'array' && Array.isArray(input)) return counted(origin, input.length);
  return describeValue(input);
};

/** A path with each key cut to about 60 characters: record keys come from the event. */
const fieldOf = (path: readonly PropertyKey[]): string =>
  formatPath(path.map((key) => (typeof key === 'string' ? truncate(key) : key)));

/** The message zod gives a union none of whose alternatives matched. */
const ZOD_UNION_MESSAGE = 'Invalid input';

/** What one alternative of a union expected, from the first issue it raised on `input`. */
const describeAlternative = (issues: readonly z.core.$ZodIssue[], input: unknown): string => {
  const [first] = issues;
  if (first === undefined) return 'another value';
  const expected =
    first.code === 'invalid_type'
      ? (EXPECTED_WORDS[first.expected] ?? first.expected)
      : first.code === 'invalid_value'
        ? first.values.map((v) => JSON.stringify(v)).join(', ')
        : 'valid';
  if (first.path.length === 0) return expected === 'valid' ? 'another value' : expected;
  // The alternative accepted the value's kind and failed inside it.
  return `${describeValue(input).startsWith('an array') ? 'an array' : 'an object'} whose ${fieldOf(first.path)} is ${expected}`;
};

const describeIssue = (issue: z.core.$ZodIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return `required, expected ${EXPECTED_WORDS[issue.expected] ?? issue.expected}, received nothing`;
      }
      return `expected ${EXPECTED_WORDS[issue.expected] ?? issue.expected}, received ${describeValue(issue.input)}`;
    case 'too_big':
      return `expected at most ${counted(issue.origin, issue.maximum)}, received ${receivedSize(issue.origin, issue.input)}`;
    case 'too_small':
      return `expected at least ${counted(issue.origin, issue.minimum)}, received ${receivedSize(issue.origin, issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, received ${describeValue(issue.input)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? `a string matching ${issue.pattern ?? 'the pattern'}` : `a ${issue.format}`}, received ${describeValue(issue.input)}`;
    case 'invalid_union': {
      const required = issue.input === undefined ? 'required, ' : '';
      // zod's own wording says only "Invalid input": say what the alternatives expected.
      if (issue.message === ZOD_UNION_MESSAGE) {
        const alternatives = issue.errors.map((branch) => describeAlternative(branch, issue.input));
        const expected = [...new Set(alternatives)].join(' or ');
        return `${required}expected ${expected}, received ${describeValue(issue.input)}`;
      }
      // The parsers' unions word their own message; a missing value still reads as required.
      return issue.message.startsWith('required') ? issue.message : `${required}${issue.message}`;
    }
    default:
      return issue.message;
  }
};

/** Turns zod issues into field problems: one per issue, readable on one line. */
export const toFieldProblems = (issues: readonly z.core.$ZodIssue[]): FieldProblem[] =>
  issues.map((issue) => ({ field: fieldOf(issue.path), problem: describeIssue(issue) }));

/**
 * Validates `event` against `schema`.
 * @throws InputValidationError listing every offending field.
 */
export const parseEvent = <S extends z.ZodMiniType>(
  schema: S,
  event: unknown,
  subject = 'input',
): z.output<S> => {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InputValidationError(
      [
        {
          field: '(event)',
          problem: `expected a JSON object of step arguments, received ${describeValue(event)}`,
        },
      ],
      { subject },
    );
  }
  const result = schema.safeParse(event, { reportInput: true });
  if (result.success) return result.data;
  throw new InputValidationError(toFieldProblems(result.error.issues), {
    subject,
    cause: result.error,
  });
};

const checkOutputValue = (name: string, type: OutputType, value: unknown): void => {
  const fail = (problem: string): never => {
    throw new OutputContractError(name, problem);
  };
  switch (type) {
    case 'String':
      if (typeof value !== 'string') fail(`declared String, returned ${describeValue(value)}`);
      else if (characterLength(value, MAX_OUTPUT_VALUE_LENGTH) > MAX_OUTPUT_VALUE_LENGTH) {
        fail(
          `${characterLength(value)} characters, over the ${MAX_OUTPUT_VALUE_LENGTH}-character limit of an output value`,
        );
      }
      return;
    case 'Integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        fail(`declared Integer, returned ${describeValue(value)} that is not a safe integer`);
      }
      return;
    case 'Float':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail(`declared Float, returned ${describeValue(value)} that is not a finite number`);
      }
      return;
    case 'Boolean':
      if (typeof value !== 'boolean') fail(`declared Boolean, returned ${describeValue(value)}`);
      return;
  }
};

/**
 * Checks a step's result against its declared outputs: exactly the declared keys,
 * each of its declared type and within SageMaker's limits.
 * @throws OutputContractError naming the first output that breaks the contract.
 */
export const checkOutputs = <O extends OutputDeclaration>(
  outputs: O,
  result: unknown,
): StepOutputs<O> => {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new OutputContractError(
      '(result)',
      `expected an object of outputs, returned ${describeValue(result)}`,
    );
  }
  for (const key of Object.keys(result)) {
    if (!Object.hasOwn(outputs, key)) {
      throw new OutputContractError(key, 'returned but not declared');
    }
  }
  const record = result as Record<string, unknown>;
  for (const [name, type] of Object.entries(outputs)) {
    if (!Object.hasOwn(record, name))
      throw new OutputContractError(name, 'declared but not returned');
    checkOutputValue(name, type, record[name]);
  }
  return result as StepOutputs<O>;
};

/**
 * Checks a declaration against SageMaker's limits on a Lambda step's outputs.
 * @throws ContractDefinitionError at module load, so a bad declaration never deploys.
 */
export const validateOutputDeclaration = (step: string, outputs: OutputDeclaration): void => {
  const names = Object.keys(outputs);
  if (names.length > MAX_OUTPUT_PARAMETERS) {
    throw new ContractDefinitionError(
      `Step ${step} declares ${names.length} outputs; a Lambda step allows at most ${MAX_OUTPUT_PARAMETERS}`,
    );
  }
  for (const name of names) {
    if (!OUTPUT_NAME_PATTERN.test(name)) {
      throw new ContractDefinitionError(
        `Step ${step} declares output ${JSON.stringify(name)}; output names must match ${OUTPUT_NAME_PATTERN.source}`,
      );
    }
    const type = outputs[name];
    if (!OUTPUT_TYPES.includes(type as OutputType)) {
      throw new ContractDefinitionError(
        `Step ${step} declares output ${name} of type ${JSON.stringify(type)}; expected one of ${OUTPUT_TYPES.join(', ')}`,
      );
    }
  }
};

const warnUnknownKeys = (schema: StepSchema, event: object, log: typeof defaultLogger): void => {
  const known = schema.shape;
  const unknown = Object.keys(event).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length > 0) {
    log.warn('Ignoring unknown input keys', {
      unknownKeys: unknown.slice(0, 20).map((key) => truncate(key)),
      unknownKeyCount: unknown.length,
    });
  }
};

/** Adds the caller's `pipelineExecutionArn` to every log line of this invocation. */
const correlateExecution = (log: typeof defaultLogger): MiddlewareObj<unknown> => ({
  before: (request) => {
    const event = request.event;
    if (event !== null && typeof event === 'object' && 'pipelineExecutionArn' in event) {
      const arn = event.pipelineExecutionArn;
      if (typeof arn === 'string') log.appendKeys({ pipelineExecutionArn: arn.slice(0, 2048) });
    }
  },
});

/** Logs how an invocation failed: input errors at warn, defects at error. The error still propagates. */
const logFailure = (log: typeof defaultLogger): MiddlewareObj<unknown> => ({
  onError: (request) => {
    const error = request.error;
    if (error instanceof InputValidationError) {
      log.warn('Rejected invalid input', { problems: error.problems.slice(0, 20) });
    } else {
      log.error('Step failed', { error: error ?? undefined });
    }
  },
});

/**
 * Defines a LambdaStep: validates the event against `input`, calls `run`, and checks
 * its result against `outputs` before anything reaches the pipeline.
 * @returns the middy-wrapped Lambda handler, carrying its contract as `handler.contract`.
 */
export const defineLambdaStep = <S extends StepSchema, O extends OutputDeclaration>(
  definition: LambdaStepDefinition<S, O>,
  log: typeof defaultLogger = defaultLogger,
): LambdaStepHandler<S, O> => {
  validateOutputDeclaration(definition.name, definition.outputs);
  const eventSchema = z.extend(definition.input, commonStepInput.shape);
  const contract: LambdaStepContract<S, O> = {
    ...definition,
    eventSchema,
    outputParameters: Object.entries(definition.outputs).map(([OutputName, OutputType]) => ({
      OutputName,
      OutputType,
    })),
  };

  const invoke = async (event: unknown, context: Context): Promise<StepOutputs<O>> => {
    const input = parseEvent(eventSchema, event) as z.output<S>;
    warnUnknownKeys(eventSchema, event as object, log);
    const result = await definition.run(input, { logger: log, context });
    return checkOutputs(definition.outputs, result);
  };

  const handler = middy(invoke)
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(correlateExecution(log))
    .use(logFailure(log));
  return Object.assign(handler, { contract }) as unknown as LambdaStepHandler<S, O>;
};
