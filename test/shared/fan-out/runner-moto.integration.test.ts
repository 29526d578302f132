import {
  CreatePipelineCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayNameOf } from '../../../shared/fan-out/identity';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { runFanOut } from '../../../shared/fan-out/runner';
import { createSageMakerClient, sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import { startMoto } from '../../support/moto';

const definition = JSON.stringify({
  Version: '2020-12-01',
  Parameters: [
    { Name: 'Item', Type: 'String' },
    { Name: 'Index', Type: 'Integer', DefaultValue: 0 },
  ],
  Steps: [],
});

describe('fan-out against moto_server', () => {
  let moto: { endpoint: string; stop: () => void } | undefined;
  let client: SageMakerClient;

  beforeAll(async () => {
    moto = await startMoto();
    client = createSageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint });
    for (const name of ['child-pipeline-1', 'child-pipeline-2']) {
      await client.send(
        new CreatePipelineCommand({
          PipelineName: name,
          PipelineDefinition: definition,
          RoleArn: 'arn:aws:iam::123456789012:role/pipeline-role',
          ClientRequestToken: `create-${name}-0000000000000000000000000`,
        }),
      );
    }
  });

  afterAll(() => {
    client?.destroy();
    moto?.stop();
  });

  it('starts exactly one execution per (pipeline, item) with the expected names and parameters', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ id: `item-${i}`, size: i * 10 }));
    const request = v.parse(fanOutRequestSchema, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: JSON.stringify(items),
      batchKey: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/moto1',
      parameters: { Item: '{{item.id}}', Index: '{{index}}' },
      displayNamePrefix: 'moto',
    });
    const deps = {
      sagemaker: sageMakerPort(client),
      allowList: { kind: 'any' } as const,
      remainingTimeMs: () => 600_000,
    };
    const result = await runFanOut(request, deps);
    expect(result).toMatchObject({ requested: 50, started: 50, deferred: 0, failed: [] });

    for (const pipeline of ['child-pipeline-1', 'child-pipeline-2']) {
      const listed = await client.send(
        new ListPipelineExecutionsCommand({ PipelineName: pipeline }),
      );
      const summaries = listed.PipelineExecutionSummaries ?? [];
      expect(summaries).toHaveLength(25);
      expect(summaries.map((s) => s.PipelineExecutionDisplayName).sort()).toEqual(
        items.map((_, i) => displayNameOf('moto', result.batchId, i)).sort(),
      );
      for (const summary of summaries) {
        const index = Number(summary.PipelineExecutionDisplayName?.split('-').pop());
        const { PipelineParameters } = await client.send(
          new ListPipelineParametersForExecutionCommand({
            PipelineExecutionArn: summary.PipelineExecutionArn,
          }),
        );
        expect(PipelineParameters).toEqual([
          { Name: 'Item', Value: `item-${index}` },
          { Name: 'Index', Value: String(index) },
        ]);
        expect(JSON.parse(summary.PipelineExecutionDescription ?? '')).toEqual({
          batchId: result.batchId,
          index,
          pipeline,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          fingerprint: expect.objectContaining({ items: expect.stringMatching(/^[0-9a-f]{16}$/) }),
        });
      }
    }

    // Re-sending finds every execution by its display name and starts none.
    const again = await runFanOut(request, deps);
    expect(again.started).toBe(50);
    expect(again.executions).toEqual(result.executions);
    const listed = await client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'child-pipeline-1' }),
    );
    expect(listed.PipelineExecutionSummaries).toHaveLength(25);
  });
});
