import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import type { OutputType } from './lambda-step';

/** One LambdaStep's contract as published in `contracts.json`. */
export interface PublishedContract {
  functionName: string;
  description: string;
  inputSchema: Record<string, unknown>;
  OutputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
}

interface CarriesContract {
  contract: {
    name: string;
    description: string;
    eventSchema: z.ZodMiniObject;
    outputParameters: Array<{ OutputName: string; OutputType: OutputType }>;
  };
}

const carriesContract = (value: unknown): value is CarriesContract =>
  typeof value === 'function' && 'contract' in value;

/**
 * Loads every `functions/<name>/handler.ts` and collects the contracts of the
 * LambdaSteps among them, sorted by name so the document is stable.
 */
export const buildContracts = async (
  functionsDir = resolve(import.meta.dirname, '..', 'functions'),
): Promise<{ lambdaSteps: PublishedContract[] }> => {
  const names = readdirSync(functionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const lambdaSteps: PublishedContract[] = [];
  for (const name of names) {
    const module: Record<string, unknown> = await import(
      pathToFileURL(join(functionsDir, name, 'handler.ts')).href
    );
    const handler = module.handler;
    if (!carriesContract(handler)) continue;
    const { contract } = handler;
    lambdaSteps.push({
      functionName: contract.name,
      description: contract.description,
      inputSchema: z.toJSONSchema(contract.eventSchema, { io: 'input', unrepresentable: 'any' }),
      OutputParameters: contract.outputParameters,
    });
  }
  return { lambdaSteps };
};
