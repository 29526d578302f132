/** Float values as the API lists them, for a pipeline written as the SageMaker Python SDK writes it. */
import { readFileSync } from 'node:fs';
import {
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup, startAndWait } from '../../support/local/api';

const floats = readFileSync('test/fixtures/sdk/float-parameters.json', 'utf8');

describe('API: Float values render as floats', () => {
  it('in ListPipelineParametersForExecution, step outputs and the Fail message', async () => {
    const { local, client } = await setup({ train: () => ({ score: 3 }) });
    await create(client, 'floats', floats);
    const { arn, status } = await startAndWait(local, client, {
      PipelineName: 'floats',
      PipelineParameters: [{ Name: 'Threshold', Value: '4' }],
    });
    expect(status).toBe('Failed');
    const { PipelineParameters } = await client.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn }),
    );
    const sorted = [...(PipelineParameters ?? [])].sort((a, b) =>
      String(a.Name).localeCompare(String(b.Name)),
    );
    expect(sorted).toEqual([
      { Name: 'LearningRate', Value: '1e-05' },
      { Name: 'Threshold', Value: '4.0' },
    ]);
    const { PipelineExecutionSteps = [] } = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    const byName = new Map(PipelineExecutionSteps.map((s) => [s.StepName, s]));
    expect(byName.get('Train')?.Metadata?.Lambda?.OutputParameters).toEqual([
      { Name: 'score', Value: '3.0' },
    ]);
    expect(byName.get('ScoreTooLow')?.Metadata?.Fail?.ErrorMessage).toBe(
      'score 3.0 is below 4.0 at learning rate 1e-05',
    );
  });
});
