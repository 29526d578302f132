import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  RetryPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup, startAndWait, TOKEN } from '../../support/local/api';
import { errorOf } from '../../support/local/runtime';
import { sdkDefinition, sdkLambdaStep, stringParameter } from '../../support/local/sdk-definitions';

const threeSteps = sdkDefinition(
  [
    sdkLambdaStep('Prepare', 'prepare', { input: { Get: 'Parameters.Input' } }, { data: 'String' }),
    sdkLambdaStep(
      'Train',
      'train',
      { data: { Get: "Steps.Prepare.OutputParameters['data']" } },
      { model: 'String' },
    ),
    sdkLambdaStep(
      'Report',
      'report',
      { model: { Get: "Steps.Train.OutputParameters['model']" } },
      {},
      ['Train'],
    ),
  ],
  [stringParameter('Input', 'raw')],
);

describe('API: RetryPipelineExecution', () => {
  const failedOnce = async () => {
    let trainCalls = 0;
    const context = await setup({
      prepare: (p) => ({ data: `prepared ${String(p.input)}` }),
      train: (p) => {
        trainCalls += 1;
        if (trainCalls === 1) throw new Error('out of capacity');
        return { model: `model of ${String(p.data)}` };
      },
      report: () => ({}),
    });
    await create(context.client, 'retried', threeSteps);
    const first = await startAndWait(context.local, context.client, {
      PipelineName: 'retried',
      PipelineParameters: [{ Name: 'Input', Value: 'abalone' }],
    });
    expect(first.status).toBe('Failed');
    return { ...context, arn: first.arn };
  };

  it('re-runs a Failed execution from its failed step, under the same ARN', async () => {
    const { local, client, invoker, arn } = await failedOnce();
    const before = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    const prepared = before.PipelineExecutionSteps?.find((s) => s.StepName === 'Prepare');

    const retried = await client.send(
      new RetryPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: TOKEN('r'),
      }),
    );
    expect(retried.PipelineExecutionArn).toBe(arn);
    expect(await local.runtime.waitForExecution(arn)).toBe('Succeeded');

    const names = invoker.calls.map((call) => call.functionArn.split(':').at(-1));
    expect(names).toEqual(['prepare', 'train', 'train', 'report']);
    expect(invoker.calls[2]?.payload).toEqual({ data: 'prepared abalone' });
    const described = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(described.PipelineExecutionStatus).toBe('Succeeded');
    expect(described.FailureReason).toBeUndefined();
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({
        PipelineExecutionArn: arn,
        SortOrder: 'Ascending',
      }),
    );
    expect(steps.PipelineExecutionSteps?.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['Prepare', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Report', 'Succeeded'],
    ]);
    expect(steps.PipelineExecutionSteps?.[0]?.StartTime).toEqual(prepared?.StartTime);
    const listed = await client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'retried' }),
    );
    expect(listed.PipelineExecutionSummaries).toHaveLength(1);
  });

  it('answers a retried request once, and refuses an execution that is not Failed', async () => {
    const { local, client, invoker, arn } = await failedOnce();
    const request = { PipelineExecutionArn: arn, ClientRequestToken: TOKEN('once') };
    await client.send(new RetryPipelineExecutionCommand(request));
    await local.runtime.waitForExecution(arn);
    const again = await client.send(new RetryPipelineExecutionCommand(request));
    expect(again.PipelineExecutionArn).toBe(arn);
    expect(invoker.calls).toHaveLength(4);

    const succeeded = await errorOf(
      client.send(
        new RetryPipelineExecutionCommand({
          PipelineExecutionArn: arn,
          ClientRequestToken: TOKEN(2),
        }),
      ),
    );
    expect(succeeded.name).toBe('ValidationException');
    expect(succeeded.message).toBe(
      `Only pipeline executions with 'Failed' status can be retried; '${arn}' is Succeeded.`,
    );
    const unknown = await errorOf(
      client.send(
        new RetryPipelineExecutionCommand({
          PipelineExecutionArn: `${arn}x`,
          ClientRequestToken: TOKEN(3),
        }),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFound');
  });
});
