import {
  DeletePipelineCommand,
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup, TOKEN } from '../../support/local/api';
import { deferred, errorOf, waitFor } from '../../support/local/runtime';
import { sdkDefinition, sdkLambdaStep, stringParameter } from '../../support/local/sdk-definitions';

const gated = sdkDefinition(
  [sdkLambdaStep('Work', 'gate', { input: { Get: 'Parameters.Input' } })],
  [stringParameter('Input', 'x')],
);

const withCallback = sdkDefinition(
  [
    {
      Name: 'WaitForJob',
      Type: 'Callback',
      Arguments: { input: { Get: 'Parameters.Input' } },
      SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
      OutputParameters: [{ OutputName: 'result', OutputType: 'String' }],
    },
  ],
  [stringParameter('Input', 'x')],
);

describe('API: guarded and idempotent operations', () => {
  it('refuses DeletePipeline while an execution runs, and deletes once it has ended', async () => {
    const gate = deferred();
    const { local, client } = await setup({ gate: () => gate.promise.then(() => ({})) });
    await create(client, 'busy', gated);
    const { PipelineExecutionArn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'busy' }),
    );
    const refused = await errorOf(
      client.send(
        new DeletePipelineCommand({ PipelineName: 'busy', ClientRequestToken: TOKEN(1) }),
      ),
    );
    expect(refused.name).toBe('ConflictException');
    expect(refused.message).toBe(
      "Pipeline 'busy' has 1 running execution: stop it with StopPipelineExecution before deleting the pipeline.",
    );
    expect(
      (await client.send(new DescribePipelineCommand({ PipelineName: 'busy' }))).PipelineName,
    ).toBe('busy');
    gate.resolve();
    expect(await local.runtime.waitForExecution(PipelineExecutionArn as string)).toBe('Succeeded');
    const deleted = await client.send(
      new DeletePipelineCommand({ PipelineName: 'busy', ClientRequestToken: TOKEN(1) }),
    );
    expect(deleted.PipelineArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:pipeline/busy');
  });

  it('answers a callback retried with the same ClientRequestToken with the first answer', async () => {
    const { local, client } = await setup();
    await create(client, 'cb', withCallback);
    const started = await client.send(new StartPipelineExecutionCommand({ PipelineName: 'cb' }));
    const arn = started.PipelineExecutionArn as string;
    const [message] = await waitFor(() =>
      local.runtime.callbacks().length > 0 ? local.runtime.callbacks() : undefined,
    );
    const success = {
      CallbackToken: message?.token,
      OutputParameters: [{ Name: 'result', Value: 'done' }],
      ClientRequestToken: TOKEN('answer'),
    };
    const first = await client.send(new SendPipelineExecutionStepSuccessCommand(success));
    expect(first.PipelineExecutionArn).toBe(arn);
    const retried = await client.send(new SendPipelineExecutionStepSuccessCommand(success));
    expect(retried.PipelineExecutionArn).toBe(arn);
    expect(await local.runtime.waitForExecution(arn)).toBe('Succeeded');

    const otherToken = await errorOf(
      client.send(
        new SendPipelineExecutionStepSuccessCommand({ ...success, ClientRequestToken: TOKEN(2) }),
      ),
    );
    expect(otherToken.name).toBe('ConflictException');
    const otherOperation = await errorOf(
      client.send(
        new SendPipelineExecutionStepFailureCommand({
          CallbackToken: message?.token,
          FailureReason: 'late',
          ClientRequestToken: TOKEN('answer'),
        }),
      ),
    );
    expect(otherOperation.name).toBe('ConflictException');
  });

  it('answers a retried SendPipelineExecutionStepFailure with the first answer', async () => {
    const { local, client } = await setup();
    await create(client, 'cb', withCallback);
    const started = await client.send(new StartPipelineExecutionCommand({ PipelineName: 'cb' }));
    const [message] = await waitFor(() =>
      local.runtime.callbacks().length > 0 ? local.runtime.callbacks() : undefined,
    );
    const failure = {
      CallbackToken: message?.token,
      FailureReason: 'job crashed',
      ClientRequestToken: TOKEN('fail'),
    };
    await client.send(new SendPipelineExecutionStepFailureCommand(failure));
    const retried = await client.send(new SendPipelineExecutionStepFailureCommand(failure));
    expect(retried.PipelineExecutionArn).toBe(started.PipelineExecutionArn);
    expect(await local.runtime.waitForExecution(started.PipelineExecutionArn as string)).toBe(
      'Failed',
    );
  });

  it('does not take an ARN of another account, Region or partition for the local pipeline', async () => {
    const { client } = await setup();
    await create(client, 'shared-name', gated.replace('"gate"', '"echo"'));
    const own = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/shared-name';
    expect(
      (await client.send(new DescribePipelineCommand({ PipelineName: own }))).PipelineArn,
    ).toBe(own);
    for (const foreign of [
      'arn:aws:sagemaker:us-east-1:210987654321:pipeline/shared-name',
      'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/shared-name',
      'arn:aws-cn:sagemaker:us-east-1:123456789012:pipeline/shared-name',
    ]) {
      for (const call of [
        client.send(new DescribePipelineCommand({ PipelineName: foreign })),
        client.send(new ListPipelineExecutionsCommand({ PipelineName: foreign })),
        client.send(new StartPipelineExecutionCommand({ PipelineName: foreign })),
      ]) {
        const error = await errorOf(call);
        expect(error.name).toBe('ResourceNotFound');
        expect(error.message).toBe(`Pipeline '${foreign}' does not exist.`);
      }
    }
  });

  it('keeps NextToken right when executions start between two pages', async () => {
    const { local, client } = await setup();
    await create(client, 'paged', gated.replace('"gate"', '"echo"'));
    const start = async () => {
      const { PipelineExecutionArn } = await client.send(
        new StartPipelineExecutionCommand({ PipelineName: 'paged' }),
      );
      await local.runtime.waitForExecution(PipelineExecutionArn as string);
      return PipelineExecutionArn as string;
    };
    const list = (input: { NextToken?: string; SortOrder?: 'Ascending' | 'Descending' }) =>
      client.send(
        new ListPipelineExecutionsCommand({ PipelineName: 'paged', MaxResults: 2, ...input }),
      );
    const before = [await start(), await start(), await start()];

    const newestFirst = await list({});
    await start();
    await start();
    const rest = await list({ NextToken: newestFirst.NextToken });
    const seen = [
      ...(newestFirst.PipelineExecutionSummaries ?? []),
      ...(rest.PipelineExecutionSummaries ?? []),
    ].map((e) => e.PipelineExecutionArn);
    expect(seen).toEqual([...before].reverse());
    expect(rest.NextToken).toBeUndefined();

    const oldestFirst = await list({ SortOrder: 'Ascending' });
    const added = await start();
    const arns: (string | undefined)[] = (oldestFirst.PipelineExecutionSummaries ?? []).map(
      (e) => e.PipelineExecutionArn,
    );
    let NextToken = oldestFirst.NextToken;
    while (NextToken) {
      const next = await list({ SortOrder: 'Ascending', NextToken });
      arns.push(...(next.PipelineExecutionSummaries ?? []).map((e) => e.PipelineExecutionArn));
      NextToken = next.NextToken;
    }
    expect(arns).toEqual(local.runtime.executionArns());
    expect(arns.at(-1)).toBe(added);
    expect(new Set(arns).size).toBe(6);
  });
});
