import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { handler as concat } from '../../functions/concat/handler';
import { handler as inspectItems } from '../../functions/inspect-items/handler';
import { handler as planBatches } from '../../functions/plan-batches/handler';
import { buildContracts } from '../../scripts/contracts-document';
import { callbackOutputs } from '../../shared/batches/callback-answer';
import type { BatchRecord } from '../../shared/batches/ledger';

const committed = () =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../contracts.json'), 'utf8'));

describe('contracts.json', () => {
  it('is up to date with the functions (run `npm run contracts` if this fails)', async () => {
    expect(committed()).toEqual(await buildContracts());
  });

  it('lists each LambdaStep with its OutputParameters exactly as the handler declares them', async () => {
    const { lambdaSteps } = await buildContracts();
    for (const handler of [concat, inspectItems, planBatches]) {
      const published = lambdaSteps.find((step) => step.functionName === handler.contract.name);
      expect(published?.OutputParameters).toEqual(handler.contract.outputParameters);
      expect(published?.description).toBe(handler.contract.description);
    }
  });

  it('publishes each input as a JSON Schema listing the required arguments', async () => {
    const { lambdaSteps } = await buildContracts();
    const byName = Object.fromEntries(lambdaSteps.map((step) => [step.functionName, step]));
    expect(byName.concat?.inputSchema).toMatchObject({
      type: 'object',
      required: ['str1', 'str2'],
      properties: { str1: { type: 'string' }, str2: { type: 'string' } },
    });
    expect(byName['plan-batches']?.inputSchema).toMatchObject({
      required: ['items', 'batchSize'],
    });
    for (const step of lambdaSteps) {
      expect(step.inputSchema).toMatchObject({
        properties: { pipelineExecutionArn: { type: 'string' } },
      });
    }
  });

  it('skips a handler that carries no contract and sorts steps by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    const lambdaStep = pathToFileURL(resolve(import.meta.dirname, '../../shared/lambda-step.ts'));
    const write = (name: string, source: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'handler.ts'), source);
    };
    const step = (name: string) => `import * as v from 'valibot';
import { defineLambdaStep } from '${lambdaStep.href}';
export const handler = defineLambdaStep({ name: '${name}', description: 'd', input: v.object({}), outputs: { ok: 'Boolean' }, run: () => ({ ok: true }) });
`;
    write('zeta', step('zeta'));
    write('plain', 'export const handler = async () => ({ statusCode: 200 });\n');
    write('alpha', step('alpha'));
    try {
      const { lambdaSteps } = await buildContracts(dir);
      expect(lambdaSteps.map((s) => s.functionName)).toEqual(['alpha', 'zeta']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes the batch Callback step: its queue output, arguments and the outputs it answers with', async () => {
    const { callbackSteps } = await buildContracts();
    const [step] = callbackSteps;
    expect(step).toMatchObject({ functionName: 'batch-callback', queueOutput: 'BatchQueueUrl' });
    expect(step?.argumentsSchema).toMatchObject({
      required: ['stepName', 'pipelines'],
      properties: { items: {}, itemsFrom: {} },
    });
    const batch = { batchId: 'b', pairs: 3, succeeded: 2, failed: 1, stopped: 0 } as BatchRecord;
    expect(step?.OutputParameters.map((output) => output.OutputName)).toEqual(
      callbackOutputs(batch, 's3://bucket/key').map((output) => output.Name),
    );
  });
});
