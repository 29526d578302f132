import {
  CreatePipelineCommand,
  DeletePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  type ListPipelinesCommandOutput,
  SageMakerClient,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntimeOptions } from '../../local/index';
import { type LocalRuntime, type PipelineEvent, startLocalRuntime } from '../../local/index';
import {
  branch,
  deferred,
  definition,
  errorOf,
  type FakeFunction,
  fakeInvoker,
  lambdaStep,
  waitFor,
} from './support';

const ROLE = 'arn:aws:iam::123456789012:role/test-role';
const TOKEN = (n: number | string) => `token-${String(n)}`.padEnd(32, '0');
const opened: { local: LocalRuntime; client: SageMakerClient }[] = [];

afterEach(async () => {
  for (const { local, client } of opened.splice(0)) {
    client.destroy();
    await local.close();
  }
});

async function setup(
  functions: Record<string, FakeFunction> = {},
  options: Omit<LocalRuntimeOptions, 'invoker'> = {},
) {
  const invoker = fakeInvoker({ echo: (p) => ({ out: `got ${JSON.stringify(p)}` }), ...functions });
  const local = await startLocalRuntime({ ...options, invoker });
  const client = new SageMakerClient({
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  opened.push({ local, client });
  return { local, client, invoker };
}

const simple = definition(
  [lambdaStep('only', 'echo', { p: { Get: 'Parameters.P' } }, { out: 'String' })],
  [
    { Name: 'P', Type: 'String', DefaultValue: 'default-p' },
    { Name: 'N', Type: 'Integer', DefaultValue: 1 },
    { Name: 'F', Type: 'Float', DefaultValue: 0.5 },
    { Name: 'B', Type: 'Boolean', DefaultValue: false },
  ],
);

async function create(client: SageMakerClient, name: string, text = simple, token = TOKEN(name)) {
  return client.send(
    new CreatePipelineCommand({
      PipelineName: name,
      PipelineDefinition: text,
      RoleArn: ROLE,
      ClientRequestToken: token,
    }),
  );
}

async function startAndWait(
  local: LocalRuntime,
  client: SageMakerClient,
  input: ConstructorParameters<typeof StartPipelineExecutionCommand>[0],
) {
  const { PipelineExecutionArn } = await client.send(new StartPipelineExecutionCommand(input));
  const arn = PipelineExecutionArn as string;
  return { arn, status: await local.runtime.waitForExecution(arn) };
}

describe('API: pipelines', () => {
  it('creates, describes (by name or ARN), updates and deletes a pipeline', async () => {
    const { client } = await setup();
    const { PipelineArn } = await create(client, 'My-Pipeline');
    expect(PipelineArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipeline');
    const byName = await client.send(new DescribePipelineCommand({ PipelineName: 'My-Pipeline' }));
    const byArn = await client.send(new DescribePipelineCommand({ PipelineName: PipelineArn }));
    expect(byArn).toMatchObject({
      PipelineName: 'My-Pipeline',
      PipelineDefinition: simple,
      RoleArn: ROLE,
      PipelineStatus: 'Active',
    });
    expect(byName.CreationTime).toBeInstanceOf(Date);

    const changed = definition([lambdaStep('other', 'echo')]);
    const updated = await client.send(
      new UpdatePipelineCommand({
        PipelineName: 'My-Pipeline',
        PipelineDefinition: changed,
        PipelineDescription: 'v2',
      }),
    );
    expect(updated).toMatchObject({ PipelineArn, PipelineVersionId: 2 });
    expect(
      await client.send(new DescribePipelineCommand({ PipelineName: 'My-Pipeline' })),
    ).toMatchObject({
      PipelineDefinition: changed,
      PipelineDescription: 'v2',
    });

    const deleted = await client.send(
      new DeletePipelineCommand({ PipelineName: 'My-Pipeline', ClientRequestToken: TOKEN('del') }),
    );
    expect(deleted.PipelineArn).toBe(PipelineArn);
    const again = await client.send(
      new DeletePipelineCommand({ PipelineName: 'My-Pipeline', ClientRequestToken: TOKEN('del') }),
    );
    expect(again.PipelineArn).toBe(PipelineArn);
    const gone = await errorOf(
      client.send(new DescribePipelineCommand({ PipelineName: 'My-Pipeline' })),
    );
    expect(gone.name).toBe('ResourceNotFound');
    expect(gone.message).toBe("Pipeline 'My-Pipeline' does not exist.");
    expect(gone.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers a repeated CreatePipeline token with the same ARN and rejects a second pipeline of that name', async () => {
    const { client } = await setup();
    const first = await create(client, 'dup', simple, TOKEN('a'));
    expect((await create(client, 'dup', simple, TOKEN('a'))).PipelineArn).toBe(first.PipelineArn);
    const error = await errorOf(create(client, 'DUP', simple, TOKEN('b')));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/Pipeline with name \(DUP\) already exists/);
  });

  it('rejects a definition with a cycle, naming it', async () => {
    const { client } = await setup();
    const cyclic = definition([
      lambdaStep('a', 'echo', {}, {}, { DependsOn: ['b'] }),
      lambdaStep('b', 'echo', {}, {}, { DependsOn: ['a'] }),
    ]);
    const error = await errorOf(create(client, 'cyclic', cyclic));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Invalid pipeline definition: steps form a cycle: a -> b -> a');
  });

  it('validates requests against the model: patterns (anchored), lengths, enums, ranges', async () => {
    const { client } = await setup();
    const error = await errorOf(
      client.send(
        new CreatePipelineCommand({
          PipelineName: 'bad_name',
          PipelineDefinition: simple,
          RoleArn: 'x',
          ClientRequestToken: 'short',
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "4 validation errors detected: Value 'bad_name' at 'pipelineName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}; " +
        "Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32; " +
        "Value 'x' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
        "Value 'x' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
    // The pattern must match the whole value, not a prefix.
    const suffix = await errorOf(create(client, 'good-name-', simple));
    expect(suffix.message).toMatch(/Value 'good-name-' at 'pipelineName'/);
    const list = await errorOf(
      client.send(
        new ListPipelinesCommand({ MaxResults: 101, SortOrder: 'Sideways' as 'Ascending' }),
      ),
    );
    expect(list.message).toBe(
      "2 validation errors detected: Value 'Sideways' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]; " +
        "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    await create(client, 'p');
    const params = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'p',
          PipelineExecutionDisplayName: 'has_underscore',
          PipelineParameters: [{ Name: 'P', Value: 'x'.repeat(1025) }],
        }),
      ),
    );
    expect(params.message).toMatch(/^2 validation errors detected: /);
    expect(params.message).toMatch(
      /at 'pipelineExecutionDisplayName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    expect(params.message).toMatch(
      /at 'pipelineParameters\.1\.member\.value' failed to satisfy constraint: Member must have length less than or equal to 1024/,
    );
  });

  it('lists pipelines with a prefix, sorting, time filters and pagination', async () => {
    const { client } = await setup();
    for (const name of ['b-pipe', 'a-pipe', 'c-pipe', 'other']) {
      await create(client, name);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const byName = await client.send(
      new ListPipelinesCommand({ SortBy: 'Name', SortOrder: 'Ascending' }),
    );
    expect(byName.PipelineSummaries?.map((p) => p.PipelineName)).toEqual([
      'a-pipe',
      'b-pipe',
      'c-pipe',
      'other',
    ]);
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListPipelinesCommand({ PipelineNamePrefix: 'A', MaxResults: 1, NextToken }),
      );
      names.push(...(page.PipelineSummaries ?? []).map((p) => p.PipelineName as string));
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken);
    expect(names).toEqual(['a-pipe']);
    expect(pages).toBe(1);
    const all: string[] = [];
    NextToken = undefined;
    do {
      const page: ListPipelinesCommandOutput = await client.send(
        new ListPipelinesCommand({ MaxResults: 3, NextToken }),
      );
      all.push(...(page.PipelineSummaries ?? []).map((p) => p.PipelineName as string));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(all).toEqual(['other', 'c-pipe', 'a-pipe', 'b-pipe']);
    const created = (await client.send(new DescribePipelineCommand({ PipelineName: 'a-pipe' })))
      .CreationTime as Date;
    const after = await client.send(
      new ListPipelinesCommand({ CreatedAfter: created, SortOrder: 'Ascending' }),
    );
    expect(after.PipelineSummaries?.map((p) => p.PipelineName)).toEqual(['c-pipe', 'other']);
    const before = await client.send(new ListPipelinesCommand({ CreatedBefore: created }));
    expect(before.PipelineSummaries?.map((p) => p.PipelineName)).toEqual(['b-pipe']);
    const bad = await errorOf(client.send(new ListPipelinesCommand({ NextToken: 'not-a-token' })));
    expect(bad.name).toBe('ValidationException');
  });
  it('answers ResourceNotFound for an unknown pipeline, ResourceLimitExceeded beyond the pipeline quota, and rejects S3 definitions', async () => {
    const { client } = await setup({}, { maxPipelines: 1 });
    const missing = await errorOf(
      client.send(new UpdatePipelineCommand({ PipelineName: 'ghost', PipelineDescription: 'x' })),
    );
    expect(missing.name).toBe('ResourceNotFound');
    const s3 = await errorOf(
      client.send(
        new CreatePipelineCommand({
          PipelineName: 's3',
          RoleArn: ROLE,
          ClientRequestToken: TOKEN('s3'),
          PipelineDefinitionS3Location: { Bucket: 'bucket', ObjectKey: 'def.json' },
        }),
      ),
    );
    expect(s3.message).toMatch(
      /^PipelineDefinitionS3Location is not supported by the local runtime/,
    );
    await create(client, 'one');
    const quota = await errorOf(create(client, 'two'));
    expect(quota.name).toBe('ResourceLimitExceeded');
    expect(quota.message).toMatch(
      /'Maximum number of pipelines allowed per account' is 1 pipelines/,
    );
  });

  it('stops the running executions of a deleted pipeline and forgets them', async () => {
    const gate = deferred();
    const { local, client } = await setup({ slow: () => gate.promise.then(() => ({})) });
    await create(
      client,
      'slow',
      definition([lambdaStep('a', 'slow'), lambdaStep('b', 'slow', {}, {}, { DependsOn: ['a'] })]),
    );
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'slow',
        ClientRequestToken: TOKEN('start'),
      }),
    );
    await client.send(
      new DeletePipelineCommand({ PipelineName: 'slow', ClientRequestToken: TOKEN('delete') }),
    );
    gate.resolve();
    const status = await local.runtime.waitForExecution(arn as string);
    expect(status).toBe('Stopped');
    const gone = await errorOf(
      client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn })),
    );
    expect(gone.name).toBe('ResourceNotFound');
    // Created again, the pipeline starts afresh: the old token names no execution.
    await create(client, 'slow', definition([lambdaStep('a', 'echo')]), TOKEN('recreate'));
    const again = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'slow',
        ClientRequestToken: TOKEN('start'),
      }),
    );
    expect(again.PipelineExecutionArn).not.toBe(arn);
    expect(local.runtime.runningExecutions()).toBeLessThanOrEqual(1);
  });
});

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
      FailureReason: 'N was 2',
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
    const gate = deferred();
    const { local, client } = await setup({ slow: () => gate.promise.then(() => ({})) });
    await create(
      client,
      'slow',
      definition([lambdaStep('a', 'slow'), lambdaStep('b', 'slow', {}, {}, { DependsOn: ['a'] })]),
    );
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
    expect(steps.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual(['a']);
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

describe('API: callbacks', () => {
  const callbackDefinition = definition(
    [
      {
        Name: 'wait',
        Type: 'Callback',
        Arguments: { input: { Get: 'Parameters.P' } },
        SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
        OutputParameters: [{ OutputName: 'result', OutputType: 'Integer' }],
      },
    ],
    [{ Name: 'P', Type: 'String', DefaultValue: 'in' }],
  );

  it('completes a callback with typed outputs; a used token is a conflict, an unknown one not found', async () => {
    const { local, client } = await setup();
    await create(client, 'cb', callbackDefinition);
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'cb' }),
    );
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
    const { local, client } = await setup();
    await create(client, 'cb', callbackDefinition);
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'cb' }),
    );
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
});

describe('API: knobs', () => {
  it('answers ResourceLimitExceeded beyond the concurrent-execution quota, and starts again once one ends', async () => {
    const gate = deferred();
    const { local, client } = await setup(
      { slow: () => gate.promise.then(() => ({})) },
      { knobs: { maxConcurrentExecutions: 2 } },
    );
    await create(client, 'slow', definition([lambdaStep('a', 'slow')]));
    const a = await client.send(new StartPipelineExecutionCommand({ PipelineName: 'slow' }));
    await client.send(new StartPipelineExecutionCommand({ PipelineName: 'slow' }));
    const error = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'slow',
          ClientRequestToken: TOKEN('third'),
        }),
      ),
    );
    expect(error.name).toBe('ResourceLimitExceeded');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/concurrent pipeline executions' is 2 executions/);
    gate.resolve();
    await local.runtime.waitForExecution(a.PipelineExecutionArn as string);
    await waitFor(() => local.runtime.runningExecutions() === 0);
    local.runtime.setKnobs({ maxConcurrentExecutions: 1 });
    const later = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'slow',
        ClientRequestToken: TOKEN('third'),
      }),
    );
    expect(later.PipelineExecutionArn).toBeDefined();
  });

  it('keeps an idempotent start answering at the quota', async () => {
    const gate = deferred();
    const { client } = await setup(
      { slow: () => gate.promise.then(() => ({})) },
      { knobs: { maxConcurrentExecutions: 1 } },
    );
    await create(client, 'slow', definition([lambdaStep('a', 'slow')]));
    const first = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'slow', ClientRequestToken: TOKEN('one') }),
    );
    const again = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'slow', ClientRequestToken: TOKEN('one') }),
    );
    expect(again.PipelineExecutionArn).toBe(first.PipelineExecutionArn);
    gate.resolve();
  });

  it('throttles StartPipelineExecution beyond the rate limit per second', async () => {
    const { client } = await setup({}, { knobs: { startRateLimit: 3 } });
    await create(client, 'p');
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        client.send(new StartPipelineExecutionCommand({ PipelineName: 'p' })),
      ),
    );
    const rejected = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(rejected.map((e) => e.name)).toEqual(['ThrottlingException', 'ThrottlingException']);
    // Other operations are not rate limited.
    await client.send(new ListPipelinesCommand({}));
  });

  it('throttles a share of calls at random and injects HTTP 500s before or after the operation', async () => {
    const { local, client } = await setup({}, { knobs: { throttleRate: 1 } });
    await create(client, 'p');
    expect(
      (await errorOf(client.send(new StartPipelineExecutionCommand({ PipelineName: 'p' })))).name,
    ).toBe('ThrottlingException');
    local.runtime.setKnobs({
      throttleRate: 0,
      faultRate: 1,
      faultOperations: ['StartPipelineExecution'],
    });
    const fault = await errorOf(
      client.send(new StartPipelineExecutionCommand({ PipelineName: 'p' })),
    );
    expect(fault.name).toBe('InternalFailure');
    expect(fault.$metadata?.httpStatusCode).toBe(500);
    expect(local.runtime.executionArns()).toHaveLength(0);
    await client.send(new ListPipelinesCommand({}));
    local.runtime.setKnobs({ faultPhase: 'after' });
    const lost = await errorOf(
      client.send(
        new StartPipelineExecutionCommand({ PipelineName: 'p', ClientRequestToken: TOKEN('lost') }),
      ),
    );
    expect(lost.name).toBe('InternalFailure');
    expect(local.runtime.executionArns()).toHaveLength(1);
    local.runtime.setKnobs({ faultRate: 0 });
    const retried = await client.send(
      new StartPipelineExecutionCommand({ PipelineName: 'p', ClientRequestToken: TOKEN('lost') }),
    );
    expect(local.runtime.executionArns()).toEqual([retried.PipelineExecutionArn]);
  });

  it('adds latency to responses, and takes knobs over the /_local/knobs path', async () => {
    const { local, client } = await setup();
    const set = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 120 }),
    });
    expect(((await set.json()) as { latencyMs: number }).latencyMs).toBe(120);
    const started = Date.now();
    await client.send(new ListPipelinesCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    const bad = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ faultRate: 2 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      "faultRate must be a share between 0 and 1, got '2'",
    );
  });
});

describe('API: protocol', () => {
  const post = (url: string, target: string | undefined, body: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        ...(target ? { 'x-amz-target': target } : {}),
      },
      body,
    });

  it('answers unknown operations, malformed JSON, other paths and oversized bodies with JSON errors', async () => {
    const { local } = await setup();
    const unknown = await post(local.url, 'SageMaker.CreateTrainingJob', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const noTarget = await post(local.url, undefined, '{}');
    expect(((await noTarget.json()) as { __type: string }).__type).toBe(
      'UnknownOperationException',
    );
    const malformed = await post(local.url, 'SageMaker.ListPipelines', '{"oops"');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');
    const wrongType = await post(local.url, 'SageMaker.ListPipelines', '{"MaxResults":"ten"}');
    expect(((await wrongType.json()) as { __type: string }).__type).toBe('SerializationException');
    const get = await fetch(`${local.url}/`);
    expect(get.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const huge = await post(
      local.url,
      'SageMaker.ListPipelines',
      `{"x":"${'a'.repeat(5 * 1024 * 1024)}"}`,
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { __type: string }).__type).toBe('ValidationException');
    const health = await fetch(`${local.url}/_local/health`);
    expect(await health.json()).toEqual({ ok: true });
  });

  it('emits EventBridge-shaped execution and step status events to subscribers and event targets', async () => {
    const targetEvents: unknown[] = [];
    const { local, client } = await setup(
      { 'on-event': (event) => targetEvents.push(event) },
      { eventTargets: ['arn:aws:lambda:us-east-1:123456789012:function:on-event'] },
    );
    const events: PipelineEvent[] = [];
    local.runtime.events.subscribe((event) => events.push(event));
    await create(client, 'p');
    const { arn } = await startAndWait(local, client, {
      PipelineName: 'p',
      PipelineExecutionDisplayName: 'evt',
    });
    const pipelineArn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p';
    const executionEvents = events.filter(
      (e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Status Change',
    );
    expect(executionEvents.map((e) => e.detail.currentPipelineExecutionStatus)).toEqual([
      'Executing',
      'Succeeded',
    ]);
    expect(executionEvents[1]).toMatchObject({
      version: '0',
      source: 'aws.sagemaker',
      account: '123456789012',
      region: 'us-east-1',
      resources: [pipelineArn, arn],
      detail: {
        pipelineExecutionDisplayName: 'evt',
        currentPipelineExecutionStatus: 'Succeeded',
        previousPipelineExecutionStatus: 'Executing',
        pipelineArn,
        pipelineExecutionArn: arn,
      },
    });
    expect(executionEvents[1]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const stepEvents = events.filter(
      (e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Step Status Change',
    );
    expect(stepEvents.map((e) => e.detail.currentStepStatus)).toEqual([
      'Starting',
      'Executing',
      'Succeeded',
    ]);
    expect(stepEvents[2]?.detail).toMatchObject({
      stepName: 'only',
      stepType: 'Lambda',
      previousStepStatus: 'Executing',
      metadata: { lambda: { arn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' } },
      pipelineExecutionArn: arn,
    });
    await waitFor(() => targetEvents.length === events.length, 5_000, 'event target deliveries');
  });
});
