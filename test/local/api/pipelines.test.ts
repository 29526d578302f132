import {
  CreatePipelineCommand,
  DeletePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelinesCommand,
  type ListPipelinesCommandOutput,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, ROLE, setup, setupSlow, simple, TOKEN } from '../../support/local/api';
import { definition, errorOf, lambdaStep } from '../../support/local/runtime';

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

  it('deletes a pipeline once its executions are stopped, and forgets them', async () => {
    const { local, client, gate } = await setupSlow();
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'slow',
        ClientRequestToken: TOKEN('start'),
      }),
    );
    await client.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: TOKEN('stop'),
      }),
    );
    gate.resolve();
    const status = await local.runtime.waitForExecution(arn as string);
    expect(status).toBe('Stopped');
    await client.send(
      new DeletePipelineCommand({ PipelineName: 'slow', ClientRequestToken: TOKEN('delete') }),
    );
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
