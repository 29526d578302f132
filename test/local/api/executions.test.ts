import {
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup, setupSlow, simple, startAndWait, TOKEN } from '../../support/local/api';
import { branch, definition, errorOf, lambdaStep } from '../../support/local/runtime';

describe('API: executions', () => {
  it('starts an execution once per ClientRequestToken and pipeline', async () => {
    const { local, client, invoker } = await setup();
    await create(client, 'p');
    await create(client, 'q');
    const first = await startAndWait(local, client, {
      PipelineName: 'p',
      ClientRequestToken: TOKEN('run'),
    });
    const again = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'p', ClientRequestToken: TOKEN('run') }),
    );
    expect(again.PipelineExecutionArn).toBe(first.arn);
    const viaArn = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p',
        ClientRequestToken: TOKEN('run'),
      }),
    );
    expect(viaArn.PipelineExecutionArn).toBe(first.arn);
    const other = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'q', ClientRequestToken: TOKEN('run') }),
    );
    expect(other.PipelineExecutionArn).not.toBe(first.arn);
    await local.runtime.waitForExecution(other.PipelineExecutionArn as string);
    expect(invoker.calls).toHaveLength(2);
    expect(local.runtime.executionArns()).toHaveLength(2);
  });

  it('rejects an undeclared parameter and a value that does not parse as its type', async () => {
    const { client } = await setup();
    await create(client, 'p');
    const undeclared = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'p',
          PipelineParameters: [{ Name: 'Nope', Value: '1' }],
        }),
      ),
    );
    expect(undeclared.name).toBe('ValidationException');
    expect(undeclared.message).toBe(
      "Pipeline parameter 'Nope' is not defined in pipeline 'p' (defined: P, N, F, B)",
    );
    for (const [name, value, type] of [
      ['N', '1.5', 'Integer'],
      ['F', 'abc', 'Float'],
      ['B', 'maybe', 'Boolean'],
    ]) {
      const error = await errorOf(
        client.send(
          new StartPipelineExecutionCommand({
            PipelineName: 'p',
            PipelineParameters: [{ Name: name as string, Value: value as string }],
          }),
        ),
      );
      expect(error.message).toBe(
        `Value '${value}' of pipeline parameter '${name}' is not a valid ${type}`,
      );
    }
    const missing = await errorOf(
      client.send(new StartPipelineExecutionCommand({ PipelineName: 'ghost' })),
    );
    expect(missing.name).toBe('ResourceNotFound');
  });

  it('describes an execution, its parameters (defaults included), steps and definition', async () => {
    const { local, client } = await setup();
    const text = definition(
      [
        lambdaStep('first', 'echo', { p: { Get: 'Parameters.P' } }, { out: 'String' }),
        {
          Name: 'check',
          Type: 'Condition',
          Arguments: {
            Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Parameters.N' }, RightValue: 2 }],
            IfSteps: branch({ Name: 'stop', Type: 'Fail', Arguments: { ErrorMessage: 'N was 2' } }),
          },
        },
      ],
      [
        { Name: 'P', Type: 'String', DefaultValue: 'd' },
        { Name: 'N', Type: 'Integer', DefaultValue: 1 },
      ],
      {
        PipelineExperimentConfig: {
          ExperimentName: { Get: 'Execution.PipelineName' },
          TrialName: { Get: 'Execution.PipelineExecutionId' },
        },
      },
    );
    await create(client, 'desc', text);
    const { arn, status } = await startAndWait(local, client, {
      PipelineName: 'desc',
      PipelineExecutionDisplayName: 'my-run-1',
      PipelineExecutionDescription: 'a description',
      PipelineParameters: [{ Name: 'N', Value: '2' }],
      ParallelismConfiguration: { MaxParallelExecutionSteps: 3 },
    });
    expect(status).toBe('Failed');
    const id = arn.split('/').at(-1);
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    const described = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(described).toMatchObject({
      PipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/desc',
      PipelineExecutionArn: arn,
      PipelineExecutionDisplayName: 'my-run-1',
      PipelineExecutionDescription: 'a description',
      PipelineExecutionStatus: 'Failed',
      FailureReason: 'Step failure: One or multiple steps failed.',
      PipelineExperimentConfig: { ExperimentName: 'desc', TrialName: id },
      ParallelismConfiguration: { MaxParallelExecutionSteps: 3 },
    });
    const params = await client.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(params.PipelineParameters).toEqual([
      { Name: 'N', Value: '2' },
      { Name: 'P', Value: 'd' },
    ]);
    const paged = await client.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn, MaxResults: 1 }),
    );
    expect(paged.PipelineParameters).toHaveLength(1);
    expect(paged.NextToken).toBeDefined();
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }),
    );
    expect(steps.PipelineExecutionSteps?.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['first', 'Succeeded'],
      ['check', 'Succeeded'],
      ['stop', 'Failed'],
    ]);
    const [first, check, stop] = steps.PipelineExecutionSteps ?? [];
    expect(first?.Metadata?.Lambda).toEqual({
      Arn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
      OutputParameters: [{ Name: 'out', Value: 'got {"p":"d"}' }],
    });
    expect(first?.StartTime).toBeInstanceOf(Date);
    expect(first?.EndTime).toBeInstanceOf(Date);
    expect(check?.Metadata?.Condition).toEqual({ Outcome: 'True' });
    expect(stop?.Metadata?.Fail).toEqual({ ErrorMessage: 'N was 2' });
    expect(stop?.FailureReason).toBe('N was 2');
    const descending = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, MaxResults: 2 }),
    );
    expect(descending.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual(['stop', 'check']);
    const rest = await client.send(
      new ListPipelineExecutionStepsCommand({
        PipelineExecutionArn: arn,
        MaxResults: 2,
        NextToken: descending.NextToken,
      }),
    );
    expect(rest.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual(['first']);
    expect(rest.NextToken).toBeUndefined();

    await client.send(
      new UpdatePipelineCommand({ PipelineName: 'desc', PipelineDefinition: simple }),
    );
    const pinned = await client.send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(pinned.PipelineDefinition).toBe(text);
    expect(pinned.CreationTime).toBeInstanceOf(Date);
  });

  it('lists executions with pagination, sort order and creation-time filters', async () => {
    const { local, client } = await setup();
    await create(client, 'p');
    const arns: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      arns.push(
        (
          await startAndWait(local, client, {
            PipelineName: 'p',
            PipelineExecutionDisplayName: `run-${i}`,
          })
        ).arn,
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new ListPipelineExecutionsCommand({
          PipelineName: 'p',
          MaxResults: 2,
          SortOrder: 'Ascending',
          NextToken,
        }),
      );
      expect((page.PipelineExecutionSummaries ?? []).length).toBeLessThanOrEqual(2);
      seen.push(
        ...(page.PipelineExecutionSummaries ?? []).map((s) => s.PipelineExecutionArn as string),
      );
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(arns);
    const newest = await client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'p', MaxResults: 1 }),
    );
    expect(newest.PipelineExecutionSummaries?.[0]).toMatchObject({
      PipelineExecutionArn: arns[4],
      PipelineExecutionDisplayName: 'run-4',
      PipelineExecutionStatus: 'Succeeded',
    });
    const third = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arns[2] }),
    );
    const after = await client.send(
      new ListPipelineExecutionsCommand({
        PipelineName: 'p',
        CreatedAfter: third.CreationTime,
        SortOrder: 'Ascending',
      }),
    );
    expect(after.PipelineExecutionSummaries?.map((s) => s.PipelineExecutionArn)).toEqual(
      arns.slice(3),
    );
    const before = await client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'p', CreatedBefore: third.CreationTime }),
    );
    expect(before.PipelineExecutionSummaries?.map((s) => s.PipelineExecutionArn)).toEqual([
      arns[1],
      arns[0],
    ]);
    const unknown = await errorOf(
      client.send(new ListPipelineExecutionsCommand({ PipelineName: 'nope' })),
    );
    expect(unknown.name).toBe('ResourceNotFound');
  });

  it('stops an execution: Stopping while a step runs, then Stopped; stopping it again is a conflict', async () => {
    const { local, client, gate } = await setupSlow();
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'slow' }),
    );
    const stopped = await client.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: TOKEN('stop'),
      }),
    );
    expect(stopped.PipelineExecutionArn).toBe(arn);
    const stopping = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(stopping.PipelineExecutionStatus).toBe('Stopping');
    gate.resolve();
    expect(await local.runtime.waitForExecution(arn as string)).toBe('Stopped');
    const steps = await client.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn }),
    );
    expect(steps.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual(['s0']);
    const same = await client.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: TOKEN('stop'),
      }),
    );
    expect(same.PipelineExecutionArn).toBe(arn);
    const conflict = await errorOf(
      client.send(
        new StopPipelineExecutionCommand({
          PipelineExecutionArn: arn,
          ClientRequestToken: TOKEN('stop-2'),
        }),
      ),
    );
    expect(conflict.name).toBe('ConflictException');
    const missing = await errorOf(
      client.send(
        new DescribePipelineExecutionCommand({
          PipelineExecutionArn: `${arn?.slice(0, -12)}000000000000`,
        }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFound');
  });
});
