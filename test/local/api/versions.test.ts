import {
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineVersionsCommand,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { validateInput } from '../../../local/api/validate';
import { create, setup, startAndWait } from '../../support/local/api';
import { errorOf } from '../../support/local/runtime';
import { sdkDefinition, sdkLambdaStep, stringParameter } from '../../support/local/sdk-definitions';

const v1 = sdkDefinition(
  [sdkLambdaStep('First', 'echo', { p: { Get: 'Parameters.Input' } }, { out: 'String' })],
  [stringParameter('Input', 'one')],
);
const v2 = sdkDefinition(
  [sdkLambdaStep('Second', 'echo', { q: { Get: 'Parameters.Other' } }, { out: 'String' })],
  [stringParameter('Other', 'two')],
);

describe('API: pipeline versions', () => {
  const versioned = async () => {
    const context = await setup();
    await create(context.client, 'versioned', v1);
    const updated = await context.client.send(
      new UpdatePipelineCommand({ PipelineName: 'versioned', PipelineDefinition: v2 }),
    );
    expect(updated.PipelineVersionId).toBe(2);
    return context;
  };

  it('creates a version with each UpdatePipeline and describes any of them', async () => {
    const { client } = await versioned();
    const latest = await client.send(new DescribePipelineCommand({ PipelineName: 'versioned' }));
    expect(latest.PipelineDefinition).toBe(v2);
    const first = await client.send(
      new DescribePipelineCommand({ PipelineName: 'versioned', PipelineVersionId: 1 }),
    );
    expect(first.PipelineDefinition).toBe(v1);
    const unknown = await errorOf(
      client.send(new DescribePipelineCommand({ PipelineName: 'versioned', PipelineVersionId: 3 })),
    );
    expect(unknown.name).toBe('ResourceNotFound');
    expect(unknown.message).toBe(
      "Pipeline version 3 of pipeline 'versioned' does not exist (versions: 1 to 2).",
    );
  });

  it('runs the version StartPipelineExecution names, and the execution reports it', async () => {
    const { local, client, invoker } = await versioned();
    const old = await startAndWait(local, client, {
      PipelineName: 'versioned',
      PipelineVersionId: 1,
      PipelineParameters: [{ Name: 'Input', Value: 'from v1' }],
    });
    expect(old.status).toBe('Succeeded');
    expect(invoker.calls.at(-1)?.payload).toEqual({ p: 'from v1' });
    const described = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: old.arn }),
    );
    expect(described.PipelineVersionId).toBe(1);
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: old.arn }),
    );
    expect(steps.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual(['First']);
    const definition = await client.send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: old.arn }),
    );
    expect(definition.PipelineDefinition).toBe(v1);

    const latest = await startAndWait(local, client, { PipelineName: 'versioned' });
    expect(
      (
        await client.send(
          new DescribePipelineExecutionCommand({ PipelineExecutionArn: latest.arn }),
        )
      ).PipelineVersionId,
    ).toBe(2);
    expect(invoker.calls.at(-1)?.payload).toEqual({ q: 'two' });

    const wrongParameter = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'versioned',
          PipelineVersionId: 2,
          PipelineParameters: [{ Name: 'Input', Value: 'x' }],
        }),
      ),
    );
    expect(wrongParameter.name).toBe('ValidationException');
    const unknown = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({ PipelineName: 'versioned', PipelineVersionId: 9 }),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFound');
    expect(local.runtime.executionArns()).toHaveLength(2);
  });

  it('lists versions with their last execution, newest first, in pages', async () => {
    const { local, client } = await versioned();
    const run = await startAndWait(local, client, {
      PipelineName: 'versioned',
      PipelineVersionId: 1,
    });
    const first = await client.send(
      new ListPipelineVersionsCommand({ PipelineName: 'versioned', MaxResults: 1 }),
    );
    expect(first.PipelineVersionSummaries).toEqual([
      {
        PipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/versioned',
        PipelineVersionId: 2,
        CreationTime: expect.any(Date),
      },
    ]);
    const second = await client.send(
      new ListPipelineVersionsCommand({
        PipelineName: 'versioned',
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    );
    expect(second.PipelineVersionSummaries).toMatchObject([
      { PipelineVersionId: 1, LastExecutionPipelineExecutionArn: run.arn },
    ]);
    expect(second.NextToken).toBeUndefined();
    const ascending = await client.send(
      new ListPipelineVersionsCommand({ PipelineName: 'versioned', SortOrder: 'Ascending' }),
    );
    expect(ascending.PipelineVersionSummaries?.map((v) => v.PipelineVersionId)).toEqual([1, 2]);
    const missing = await errorOf(
      client.send(new ListPipelineVersionsCommand({ PipelineName: 'nope' })),
    );
    expect(missing.name).toBe('ResourceNotFound');
  });

  it('validates ListPipelineVersions against the API model', () => {
    expect(() => validateInput('ListPipelineVersions', {})).toThrow(
      "Value null at 'pipelineName' failed to satisfy constraint: Member must not be null",
    );
    expect(() =>
      validateInput('ListPipelineVersions', { PipelineName: 'p', MaxResults: 101 }),
    ).toThrow('Member must have value less than or equal to 100');
  });
});
