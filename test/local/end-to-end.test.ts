import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreatePipelineCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
  type SageMakerClient,
  SendPipelineExecutionStepSuccessCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listAllExecutions,
  localSageMakerClient,
  readPipelineDir,
  upsertPipeline,
} from '../../local/client';
import { type LocalRuntime, startLocalRuntime } from '../../local/index';
import { createInProcessInvoker } from '../../local/invokers/in-process';
import type { QueuedCallback } from '../../local/runtime';
import { waitFor } from '../support/local/runtime';

const root = resolve(import.meta.dirname, '../..');
const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];

describe('end to end, in-process: parent.json fans out to the child pipelines', () => {
  let local: LocalRuntime;
  let client: SageMakerClient;

  beforeAll(async () => {
    local = await startLocalRuntime({
      invoker: (url) =>
        createInProcessInvoker({
          env: { SAGEMAKER_ENDPOINT: url, FAN_OUT_ALLOWED_PIPELINES: CHILDREN.join(',') },
        }),
    });
    client = localSageMakerClient(local.url);
    for (const pipeline of readPipelineDir(resolve(root, 'pipelines')))
      await upsertPipeline(client, pipeline);
  });

  afterAll(async () => {
    client?.destroy();
    await local?.close();
  });

  const TOKEN = 'end-to-end-parent-run-0000000001';

  it('succeeds and leaves exactly batches x 2 child executions, all Succeeded, with the batch as Item', async () => {
    const { PipelineExecutionArn: parentArn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'parent', ClientRequestToken: TOKEN }),
    );
    expect(await local.runtime.waitForExecution(parentArn as string)).toBe('Succeeded');
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: parentArn }),
    );
    const fanOut = steps.PipelineExecutionSteps?.find((s) => s.StepName === 'FanOut');
    const outputs = Object.fromEntries(
      (fanOut?.Metadata?.Lambda?.OutputParameters ?? []).map((o) => [o.Name, o.Value]),
    );
    expect(outputs).toMatchObject({
      startedCount: '6',
      deferredCount: '0',
      failedCount: '0',
      complete: 'true',
    });

    const children = local.runtime.executionArns().filter((arn) => arn !== parentArn);
    // 5 default items in batches of 2 = 3 batches, to 2 child pipelines.
    expect(children).toHaveLength(6);
    const statuses = await Promise.all(children.map((arn) => local.runtime.waitForExecution(arn)));
    expect(statuses).toEqual(Array(6).fill('Succeeded'));
    for (const pipeline of CHILDREN) {
      const executions = await listAllExecutions(client, pipeline, 2);
      expect(executions).toHaveLength(3);
      const items: string[] = [];
      for (const execution of executions) {
        expect(execution.PipelineExecutionDisplayName).toMatch(/^parent-b2-[A-Za-z0-9-]+-[0-2]$/);
        const params = await client.send(
          new ListPipelineParametersForExecutionCommand({
            PipelineExecutionArn: execution.PipelineExecutionArn,
          }),
        );
        items.push(params.PipelineParameters?.find((p) => p.Name === 'Item')?.Value as string);
      }
      expect(items.map((item) => JSON.parse(item)).sort()).toEqual(
        [['alpha', 'bravo'], ['charlie', 'delta'], ['echo']].sort(),
      );
    }
    const childSteps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: children[0] }),
    );
    const uri = childSteps.PipelineExecutionSteps?.find((s) => s.StepName === 'OutputUri')?.Metadata
      ?.Lambda?.OutputParameters?.[0]?.Value;
    expect(uri).toMatch(
      new RegExp(
        `^s3://sagemaker-pipeline-lambdas-local/child-pipeline-[12]/${children[0]?.split('/').at(-1)}/`,
      ),
    );
  });

  it('starts nothing new when the parent is started again with the same ClientRequestToken', async () => {
    const before = local.runtime.executionArns();
    const again = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'parent', ClientRequestToken: TOKEN }),
    );
    expect(again.PipelineExecutionArn).toBe(before[0]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(local.runtime.executionArns()).toEqual(before);
  });
});

describe('end to end, in-process: several runtimes in one process', () => {
  it('gives each runtime its own fan-out module, so each fans out to its own URL', async () => {
    for (let round = 0; round < 2; round += 1) {
      const local = await startLocalRuntime({ allowedPipelines: CHILDREN.join(',') });
      const client = localSageMakerClient(local.url);
      try {
        for (const pipeline of readPipelineDir(resolve(root, 'pipelines')))
          await upsertPipeline(client, pipeline);
        const { PipelineExecutionArn: arn } = await client.send(
          new StartPipelineExecutionCommand({ PipelineName: 'parent' }),
        );
        expect(await local.runtime.waitForExecution(arn as string)).toBe('Succeeded');
        expect(local.runtime.executionArns()).toHaveLength(7);
      } finally {
        client.destroy();
        await local.close();
      }
    }
  });
});

describe('end to end: the public GeoSpatialPipeline.json definition', () => {
  it('runs to Succeeded with a test function behind *FUNCTION_ARN* and its callbacks completed through the API', async () => {
    const fixture = readFileSync(
      resolve(root, 'test/fixtures/sagemaker/GeoSpatialPipeline.json'),
      'utf8',
    );
    const functionArn = 'arn:aws:lambda:us-west-2:123456789012:function:geo-test';
    const definition = fixture.replaceAll('*FUNCTION_ARN*', functionArn);
    const events: unknown[] = [];
    const local = await startLocalRuntime({
      invoker: createInProcessInvoker({
        handlers: {
          'geo-test': async (event) => {
            events.push(event);
            const input = event as { vej_name?: string; vej_arn?: string };
            return {
              statusCode: '200',
              vej_arn:
                input.vej_arn ??
                `arn:aws:sagemaker-geospatial:us-west-2:123456789012:vector-enrichment-job/${input.vej_name}`,
            };
          },
        },
      }),
    });
    const client = localSageMakerClient(local.url);
    try {
      await client.send(
        new CreatePipelineCommand({
          PipelineName: 'GeoSpatialPipeline',
          PipelineDefinition: definition,
          RoleArn: 'arn:aws:iam::123456789012:role/geo',
          ClientRequestToken: 'geo-create-0000000000000000000001',
        }),
      );
      const queue = 'https://sqs.us-west-2.amazonaws.com/123456789012/geo-queue';
      const { PipelineExecutionArn: arn } = await client.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'GeoSpatialPipeline',
          PipelineParameters: [
            { Name: 'parameter_execution_role', Value: 'arn:aws:iam::123456789012:role/geo' },
            { Name: 'parameter_queue_url', Value: queue },
          ],
        }),
      );
      const callbackOutputs: Record<string, string> = {
        'vej-callback-step': 'vej_status',
        'export-vej-callback': 'statusJob',
      };
      for (const stepName of ['vej-callback-step', 'export-vej-callback']) {
        const message = await waitFor(
          async () => {
            const response = await fetch(`${local.url}/_local/callbacks`);
            const { callbacks } = (await response.json()) as { callbacks: QueuedCallback[] };
            return callbacks.find((c) => c.stepName === stepName);
          },
          20_000,
          `callback ${stepName}`,
        );
        expect(message).toMatchObject({
          pipelineExecutionArn: arn,
          sqsQueueUrl: queue,
          arguments: {
            role: 'arn:aws:iam::123456789012:role/geo',
            region: 'us-west-2',
            vej_arn:
              'arn:aws:sagemaker-geospatial:us-west-2:123456789012:vector-enrichment-job/vej-pipeline-step-1',
          },
        });
        await client.send(
          new SendPipelineExecutionStepSuccessCommand({
            CallbackToken: message.token,
            OutputParameters: [{ Name: callbackOutputs[stepName] as string, Value: 'COMPLETED' }],
          }),
        );
      }
      expect(await local.runtime.waitForExecution(arn as string)).toBe('Succeeded');
      const steps = await client.send(
        new ListPipelineExecutionStepsCommand({
          PipelineExecutionArn: arn,
          SortOrder: 'Ascending',
        }),
      );
      expect(steps.PipelineExecutionSteps?.map((s) => [s.StepName, s.StepStatus])).toEqual([
        ['vej-processing-step', 'Succeeded'],
        ['vej-callback-step', 'Succeeded'],
        ['export-vej-step', 'Succeeded'],
        ['export-vej-callback', 'Succeeded'],
      ]);
      expect(events[1]).toMatchObject({
        vej_arn: expect.stringMatching(/vej-pipeline-step-1$/),
        region: 'us-west-2',
      });
    } finally {
      client.destroy();
      await local.close();
    }
  });
});
