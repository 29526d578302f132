/**
 * Two local runtimes in one process (the embedding API of local/index.ts), both running
 * pipelines/parent.json at the same time with the in-process invoker: each fan-out handler is
 * made by createHandler with its own runtime's endpoint, so every child execution a runtime's
 * parent starts lives in that runtime and none in the other.
 */
import { resolve } from 'node:path';
import {
  ListPipelineExecutionStepsCommand,
  type SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSageMakerClient, readPipelineDir, upsertPipeline } from '../../local/client';
import { type LocalRuntime, QUIET_HANDLER_ENV, startLocalRuntime } from '../../local/index';

const root = resolve(import.meta.dirname, '../..');
const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];
// 5 default items in batches of 2 = 3 batches, to each of the 2 child pipelines.
const CHILDREN_PER_PARENT = 6;

interface Started {
  local: LocalRuntime;
  client: SageMakerClient;
}

describe('two local runtimes in one process', () => {
  const runtimes: Started[] = [];

  beforeAll(async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const local = await startLocalRuntime({
        region,
        allowedPipelines: CHILDREN.join(','),
        handlerDefaults: QUIET_HANDLER_ENV,
      });
      const client = localSageMakerClient(local.url, region);
      runtimes.push({ local, client });
      for (const pipeline of readPipelineDir(resolve(root, 'pipelines'))) {
        await upsertPipeline(client, pipeline);
      }
    }
  });

  afterAll(async () => {
    for (const { local, client } of runtimes) {
      client.destroy();
      await local.close();
    }
  });

  it('each run parent.json at once, and each keeps all of its own child executions', async () => {
    const parents = await Promise.all(
      runtimes.map(async ({ client }) => {
        const { PipelineExecutionArn } = await client.send(
          new StartPipelineExecutionCommand({ PipelineName: 'parent' }),
        );
        return PipelineExecutionArn as string;
      }),
    );
    for (const [index, { local, client }] of runtimes.entries()) {
      const parent = parents[index] as string;
      expect(await local.runtime.waitForExecution(parent)).toBe('Succeeded');
      const steps = await client.send(
        new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: parent }),
      );
      const fanOut = steps.PipelineExecutionSteps?.find((step) => step.StepName === 'FanOut');
      const outputs = Object.fromEntries(
        (fanOut?.Metadata?.Lambda?.OutputParameters ?? []).map((o) => [o.Name, o.Value]),
      );
      expect(outputs).toMatchObject({
        startedCount: String(CHILDREN_PER_PARENT),
        failedCount: '0',
        complete: 'true',
      });
      const children = local.runtime.executionArns().filter((arn) => arn !== parent);
      expect(children).toHaveLength(CHILDREN_PER_PARENT);
      for (const child of children) {
        expect(child).toContain(`:sagemaker:${local.runtime.region}:`);
        expect(await local.runtime.waitForExecution(child)).toBe('Succeeded');
      }
    }
  });
});
