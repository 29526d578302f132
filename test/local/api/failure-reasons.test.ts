import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { STEP_FAILURE_REASON } from '../../../local/executions';
import { create, setup, startAndWait } from '../../support/local/api';
import {
  equalsStep,
  failStep,
  integerParameter,
  sdkDefinition,
  sdkLambdaStep,
  stringParameter,
} from '../../support/local/sdk-definitions';

// Mirrors sagemaker-python-sdk tests/integ/sagemaker/workflow/test_fail_steps.py.
describe('API: failure reasons', () => {
  const failing = async (text: string, parameters: { Name: string; Value: string }[] = []) => {
    const context = await setup({
      broken: () => {
        throw new Error('Invalid input: str1 is required');
      },
    });
    await create(context.client, 'my-pipeline-fail-step', text);
    const { arn, status } = await startAndWait(context.local, context.client, {
      PipelineName: 'my-pipeline-fail-step',
      PipelineParameters: parameters,
    });
    expect(status).toBe('Failed');
    const described = await context.client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    const listed = await context.client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'my-pipeline-fail-step' }),
    );
    const steps = await context.client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    return { described, listed, steps: steps.PipelineExecutionSteps ?? [] };
  };

  it('gives the execution SageMaker reason and keeps a Fail step message on the step', async () => {
    const { described, listed, steps } = await failing(
      sdkDefinition(
        [
          equalsStep(
            'CondStep',
            { Get: 'Parameters.MyInt' },
            1,
            [],
            [failStep('FailStep', 'Failed due to hitting in else branch')],
          ),
        ],
        [integerParameter('MyInt', 2)],
      ),
    );
    expect(described.FailureReason).toBe('Step failure: One or multiple steps failed.');
    expect(listed.PipelineExecutionSummaries).toHaveLength(1);
    expect(listed.PipelineExecutionSummaries?.[0]).toMatchObject({
      PipelineExecutionStatus: 'Failed',
      PipelineExecutionFailureReason: STEP_FAILURE_REASON,
    });
    const fail = steps.find((s) => s.StepName === 'FailStep');
    expect(fail).toMatchObject({
      StepStatus: 'Failed',
      FailureReason: 'Failed due to hitting in else branch',
      Metadata: { Fail: { ErrorMessage: 'Failed due to hitting in else branch' } },
    });
    expect(steps.find((s) => s.StepName === 'CondStep')?.StepStatus).toBe('Succeeded');
  });

  it('takes the Fail step message from a parameter', async () => {
    const { described, steps } = await failing(
      sdkDefinition(
        [
          equalsStep(
            'CondStep',
            { Get: 'Parameters.MyInt' },
            1,
            [],
            [failStep('FailStep', { Get: 'Parameters.MyString' })],
          ),
        ],
        [integerParameter('MyInt'), stringParameter('MyString')],
      ),
      [
        { Name: 'MyInt', Value: '3' },
        { Name: 'MyString', Value: 'Failed due to hitting in else branch' },
      ],
    );
    expect(described.FailureReason).toBe(STEP_FAILURE_REASON);
    expect(steps.find((s) => s.StepName === 'FailStep')?.FailureReason).toBe(
      'Failed due to hitting in else branch',
    );
  });

  it('leaves a Fail step without a message with no FailureReason', async () => {
    const { described, listed, steps } = await failing(
      sdkDefinition(
        [equalsStep('CondStep', { Get: 'Parameters.MyInt' }, 1, [], [failStep('FailStep')])],
        [integerParameter('MyInt', 2)],
      ),
    );
    const fail = steps.find((s) => s.StepName === 'FailStep');
    expect(fail?.StepStatus).toBe('Failed');
    expect(fail?.FailureReason).toBeUndefined();
    expect(fail?.Metadata?.Fail).toEqual({ ErrorMessage: '' });
    expect(described.FailureReason).toBe(STEP_FAILURE_REASON);
    expect(listed.PipelineExecutionSummaries?.[0]?.PipelineExecutionFailureReason).toBe(
      STEP_FAILURE_REASON,
    );
  });

  it("keeps a Lambda step's error on the step, not on the execution", async () => {
    const { described, steps } = await failing(sdkDefinition([sdkLambdaStep('Check', 'broken')]));
    expect(described.FailureReason).toBe(STEP_FAILURE_REASON);
    expect(steps[0]).toMatchObject({
      StepName: 'Check',
      StepStatus: 'Failed',
      FailureReason: 'Invalid input: str1 is required',
    });
  });
});
