import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup } from '../../support/local/api';
import { callbackStep, definition, errorOf, waitFor } from '../../support/local/runtime';

describe('API: callbacks', () => {
  const callbackDefinition = definition(
    [callbackStep('wait', { input: { Get: 'Parameters.P' } }, { result: 'Integer' })],
    [{ Name: 'P', Type: 'String', DefaultValue: 'in' }],
  );

  /** A fresh runtime with the callback pipeline created and one execution of it started. */
  const startCallbackPipeline = async () => {
    const { local, client } = await setup();
    await create(client, 'cb', callbackDefinition);
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'cb' }),
    );
    return { local, client, arn };
  };

  it('completes a callback with typed outputs; a used token is a conflict, an unknown one not found', async () => {
    const { local, client, arn } = await startCallbackPipeline();
    const [message] = await waitFor(() =>
      local.runtime.callbacks().length > 0 ? local.runtime.callbacks() : undefined,
    );
    expect(message).toMatchObject({
      pipelineExecutionArn: arn,
      arguments: { input: 'in' },
      status: 'Executing',
      stepName: 'wait',
    });
    const token = message?.token as string;
    expect(token).toMatch(/^[A-Za-z0-9]{10}$/);
    const response = await fetch(`${local.url}/_local/callbacks`);
    expect(
      ((await response.json()) as { callbacks: { token: string }[] }).callbacks[0]?.token,
    ).toBe(token);

    const badOutput = await errorOf(
      client.send(
        new SendPipelineExecutionStepSuccessCommand({
          CallbackToken: token,
          OutputParameters: [{ Name: 'result', Value: 'x' }],
        }),
      ),
    );
    expect(badOutput.name).toBe('ValidationException');
    expect(badOutput.message).toBe("output 'result' of step 'wait' should be Integer, got 'x'");
    const done = await client.send(
      new SendPipelineExecutionStepSuccessCommand({
        CallbackToken: token,
        OutputParameters: [{ Name: 'result', Value: '7' }],
      }),
    );
    expect(done.PipelineExecutionArn).toBe(arn);
    expect(await local.runtime.waitForExecution(arn as string)).toBe('Succeeded');
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    expect(steps.PipelineExecutionSteps?.[0]?.Metadata?.Callback).toEqual({
      CallbackToken: token,
      SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
      OutputParameters: [{ Name: 'result', Value: '7' }],
    });
    const reused = await errorOf(
      client.send(new SendPipelineExecutionStepSuccessCommand({ CallbackToken: token })),
    );
    expect(reused.name).toBe('ConflictException');
    const unknown = await errorOf(
      client.send(new SendPipelineExecutionStepFailureCommand({ CallbackToken: 'ABCDEFGHIJ' })),
    );
    expect(unknown.name).toBe('ResourceNotFound');
    const malformed = await errorOf(
      client.send(new SendPipelineExecutionStepFailureCommand({ CallbackToken: 'short' })),
    );
    expect(malformed.name).toBe('ValidationException');
  });

  it('fails a callback step with the reason given', async () => {
    const { local, client, arn } = await startCallbackPipeline();
    const [message] = await waitFor(() =>
      local.runtime.callbacks().length > 0 ? local.runtime.callbacks() : undefined,
    );
    await client.send(
      new SendPipelineExecutionStepFailureCommand({
        CallbackToken: message?.token,
        FailureReason: 'job failed',
      }),
    );
    expect(await local.runtime.waitForExecution(arn as string)).toBe('Failed');
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    expect(steps.PipelineExecutionSteps?.[0]).toMatchObject({
      StepStatus: 'Failed',
      FailureReason: 'job failed',
    });
  });

  it('keeps a stopped execution Stopping until its waiting callback is completed, as SageMaker does', async () => {
    const { local, client, arn } = await startCallbackPipeline();
    await waitFor(() => local.runtime.callbacks().length > 0);
    await client.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: 'stop-callback-000000000000000000001',
      }),
    );
    const [message] = local.runtime.callbacks();
    expect(message?.status).toBe('Stopping');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const described = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(described.PipelineExecutionStatus).toBe('Stopping');
    await client.send(
      new SendPipelineExecutionStepSuccessCommand({ CallbackToken: message?.token }),
    );
    expect(await local.runtime.waitForExecution(arn as string)).toBe('Stopped');
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    expect(steps.PipelineExecutionSteps?.[0]?.StepStatus).toBe('Stopped');
  });
});
