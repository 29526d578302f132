import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { batchCallbackContract } from '../shared/batches/callback-contract';
import { ConfigError } from '../shared/errors';
import type { OutputType, StepSchema } from '../shared/lambda-step';
import { type PipeItem, pipeItems } from '../shared/validation';

/** One LambdaStep's contract as published in `contracts.json`. */
export interface PublishedContract {
  functionName: string;
  description: string;
  inputSchema: Record<string, unknown>;
  OutputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
}

/** A Callback step's contract: the queue to name, its Arguments and its OutputParameters. */
export interface PublishedCallbackContract {
  functionName: string;
  description: string;
  /** The stack output holding the step's `SqsQueueUrl`. */
  queueOutput: string;
  argumentsSchema: Record<string, unknown>;
  OutputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
}

interface CarriesContract {
  contract: {
    name: string;
    description: string;
    eventSchema: StepSchema;
    outputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
  };
}

/** The last description in a schema's pipes, including after its transforms. */
const descriptionOf = (schema: PipeItem): string | undefined => {
  const descriptions = pipeItems(schema).filter(
    (item): item is PipeItem & { description: string } =>
      item.type === 'description' &&
      typeof (item as { description?: unknown }).description === 'string',
  );
  return descriptions.at(-1)?.description;
};

/**
 * The JSON Schema of what callers send (the input side of every pipe). The converter
 * stops reading a pipe at its first transform, so descriptions set after one (on a
 * parsed argument, say) are added here.
 */
export const inputJsonSchema = (schema: StepSchema): Record<string, unknown> => {
  const json = toJsonSchema(schema as v.GenericSchema, {
    target: 'draft-2020-12',
    typeMode: 'input',
    errorMode: 'ignore',
  }) as Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };
  for (const [key, entry] of Object.entries(schema.entries)) {
    const property = json.properties?.[key];
    const description = descriptionOf(entry);
    if (property !== undefined && description !== undefined) property.description = description;
  }
  return { $schema: json.$schema, ...json };
};

const carriesContract = (value: unknown): value is CarriesContract =>
  typeof value === 'function' && 'contract' in value;

/**
 * Loads every `functions/<name>/handler.ts` and collects the contracts of the
 * LambdaSteps among them, sorted by name so the document is stable.
 */
export const buildContracts = async (
  functionsDir = resolve(import.meta.dirname, '..', 'functions'),
): Promise<{ lambdaSteps: PublishedContract[]; callbackSteps: PublishedCallbackContract[] }> => {
  const names = readdirSync(functionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lambdaSteps: PublishedContract[] = [];
  for (const name of names) {
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(join(functionsDir, name, 'handler.ts')).href);
    } catch (error) {
      // A function that needs its deployed configuration to load (the batch functions) is
      // no LambdaStep; a LambdaStep skipped here would show as missing from contracts.json.
      if (error instanceof ConfigError) continue;
      throw error;
    }
    const handler = module.handler;
    if (!carriesContract(handler)) continue;
    const { contract } = handler;
    lambdaSteps.push({
      functionName: contract.name,
      description: contract.description,
      inputSchema: inputJsonSchema(contract.eventSchema),
      OutputParameters: contract.outputParameters,
    });
  }
  const callbackSteps: PublishedCallbackContract[] = [
    {
      functionName: batchCallbackContract.name,
      description: batchCallbackContract.description,
      queueOutput: batchCallbackContract.queueOutput,
      argumentsSchema: inputJsonSchema(batchCallbackContract.argumentsSchema as StepSchema),
      OutputParameters: batchCallbackContract.outputParameters.map((output) => ({ ...output })),
    },
  ];
  return { lambdaSteps, callbackSteps };
};
