/**
 * Stand-in for `functions/fan-out` while it is being written (issue 3): the same contract
 * (deterministic tokens, `<prefix>-<batchId>-<index>` display names, `Item` parameter), used only
 * by these tests when the real handler is absent.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import type { LambdaHandler } from '../../local/invokers/in-process';

export const REAL_FAN_OUT = existsSync(
  resolve(import.meta.dirname, '../../functions/fan-out/handler.ts'),
);

const list = (value: unknown): unknown[] =>
  typeof value === 'string' ? (JSON.parse(value) as unknown[]) : (value as unknown[]);

export const fanOutStandIn: LambdaHandler = async (event) => {
  const input = event as {
    pipelines: unknown;
    items: unknown;
    batchKey: string;
    displayNamePrefix?: string;
  };
  const client = new SageMakerClient({
    endpoint: process.env.SAGEMAKER_ENDPOINT,
    region: 'us-east-1',
  });
  const batchId = createHash('sha256').update(input.batchKey).digest('hex').slice(0, 8);
  const items = list(input.items);
  let startedCount = 0;
  for (const pipeline of list(input.pipelines) as string[]) {
    for (const [index, item] of items.entries()) {
      const text = typeof item === 'string' ? item : JSON.stringify(item);
      await client.send(
        new StartPipelineExecutionCommand({
          PipelineName: pipeline,
          ClientRequestToken: createHash('sha256')
            .update(`${input.batchKey}|${pipeline}|${index}|${text}`)
            .digest('hex'),
          PipelineExecutionDisplayName: `${input.displayNamePrefix ?? 'fan-out'}-${batchId}-${index}`,
          PipelineParameters: [{ Name: 'Item', Value: text }],
        }),
      );
      startedCount += 1;
    }
  }
  client.destroy();
  return { batchId, startedCount, deferredCount: 0, failedCount: 0, complete: true };
};
