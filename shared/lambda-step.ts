import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { describeValue, truncate } from './describe-value';
import { ContractDefinitionError, InputValidationError, OutputContractError } from './errors';
import { MAX_OUTPUT_PARAMETERS, MAX_OUTPUT_VALUE_LENGTH, OUTPUT_NAME_PATTERN } from './limits';
import { defaultLogger, type Logger } from './logger';
import { characterLength } from './text-length';
import { parseEvent } from './validation';

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
export const commonStepInput = v.object({
  pipelineExecutionArn: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(2048),
      v.description(
        'Execution.PipelineExecutionArn of the calling pipeline, added to every log line',
      ),
    ),
  ),
});

/** A step's input: an object of arguments (unknown keys are ignored and logged). */
export type StepSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

/** What `run` receives besides its input. */
export interface StepRunContext {
  logger: Logger;
  context: Context;
}

/** Everything that defines a LambdaStep; `run` holds the logic and knows nothing of Lambda. */
export interface LambdaStepDefinition<S extends StepSchema, O extends OutputDeclaration> {
  /** The function's key in serverless.yml. */
  name: string;
  description: string;
  input: S;
  outputs: O;
  run: (input: v.InferOutput<S>, ctx: StepRunContext) => StepOutputs<O> | Promise<StepOutputs<O>>;
}

/** An output declaration as a pipeline definition's Lambda step writes it (`OutputParameters`). */
export function outputParameters(
  outputs: OutputDeclaration,
): Array<{ OutputName: string; OutputType: OutputType }> {
  return Object.entries(outputs).map(([OutputName, OutputType]) => ({ OutputName, OutputType }));
}

/** The contract a handler carries as data (for `contracts.json`, tests and benchmarks). */
export interface LambdaStepContract<S extends StepSchema, O extends OutputDeclaration>
  extends LambdaStepDefinition<S, O> {
  /** The schema actually applied to events: `input` plus the common inputs. */
  eventSchema: StepSchema;
  /** The declaration as a pipeline definition's Lambda step writes it. */
  outputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
}

export type LambdaStepHandler<S extends StepSchema, O extends OutputDeclaration> = ((
  event: unknown,
  context: Context,
) => Promise<StepOutputs<O>>) & { contract: LambdaStepContract<S, O> };

function checkOutputValue(name: string, type: OutputType, value: unknown): void {
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
}

/**
 * Checks a step's result against its declared outputs: exactly the declared keys,
 * each of its declared type and within SageMaker's limits.
 * @throws OutputContractError naming the first output that breaks the contract.
 */
export function checkOutputs<O extends OutputDeclaration>(
  outputs: O,
  result: unknown,
): StepOutputs<O> {
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
}

/**
 * Checks a declaration against SageMaker's limits on a Lambda step's outputs.
 * @throws ContractDefinitionError at module load, so a bad declaration never deploys.
 */
export function validateOutputDeclaration(step: string, outputs: OutputDeclaration): void {
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
}

function warnUnknownKeys(schema: StepSchema, event: object, log: Logger): void {
  const known = schema.entries;
  const unknown = Object.keys(event).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length > 0) {
    log.warn('Ignoring unknown input keys', {
      unknownKeys: unknown.slice(0, 20).map((key) => truncate(key)),
      unknownKeyCount: unknown.length,
    });
  }
}

/**
 * Adds the caller's `pipelineExecutionArn` to every log line of the invocation, and logs how an
 * invocation failed: input errors at warn, defects at error. The error still propagates.
 */
const stepLogging = (log: Logger): MiddlewareObj<unknown> => ({
  before: (request) => {
    const event = request.event;
    if (event !== null && typeof event === 'object' && 'pipelineExecutionArn' in event) {
      const arn = event.pipelineExecutionArn;
      if (typeof arn === 'string') log.appendKeys({ pipelineExecutionArn: arn.slice(0, 2048) });
    }
  },
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
export function defineLambdaStep<S extends StepSchema, O extends OutputDeclaration>(
  definition: LambdaStepDefinition<S, O>,
  log: Logger = defaultLogger(),
): LambdaStepHandler<S, O> {
  validateOutputDeclaration(definition.name, definition.outputs);
  const eventSchema = v.object({ ...definition.input.entries, ...commonStepInput.entries });
  const contract: LambdaStepContract<S, O> = {
    ...definition,
    eventSchema,
    // Read by the contracts document and tests only: built when asked for.
    get outputParameters() {
      return outputParameters(definition.outputs);
    },
  };

  const invoke = async (event: unknown, context: Context): Promise<StepOutputs<O>> => {
    const input = parseEvent(eventSchema, event) as v.InferOutput<S>;
    warnUnknownKeys(eventSchema, event as object, log);
    const result = await definition.run(input, { logger: log, context });
    return checkOutputs(definition.outputs, result);
  };

  const handler = middy(invoke)
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(stepLogging(log));
  return Object.assign(handler, { contract }) as unknown as LambdaStepHandler<S, O>;
}
