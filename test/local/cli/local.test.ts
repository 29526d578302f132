import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreatePipelineCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { main } from '../../../local/cli/local';
import { localSageMakerClient } from '../../../local/client';
import { startLocalRuntime } from '../../../local/index';
import { callbackStep, definition, fakeInvoker, waitFor } from '../../support/local/runtime';

const root = resolve(import.meta.dirname, '../../..');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('local CLI: run', () => {
  it('runs a definition in-process with --param, prints the step tree and exits 0 on success', async () => {
    const result = await cli(
      'run',
      join(root, 'pipelines/child-pipeline-1.json'),
      '--param',
      'Item=["x","y"]',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/✔ InspectItem +Succeeded itemCount=2 +hasItems=true/);
    expect(result.out).toMatch(
      /✔ OutputUri +Succeeded str3=s3:\/\/sagemaker-pipeline-lambdas-local\/child-pipeline-1\/[a-z0-9]{12}\/x/,
    );
    expect(result.out).toMatch(/child-pipeline-1: Succeeded$/);
  });

  it('exits 1 when the execution fails, showing the branch not taken and the reason', async () => {
    const result = await cli('run', join(root, 'pipelines/parent.json'), '--param', 'Items=[]');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/✔ HasItems +Succeeded outcome: False/);
    expect(result.out).toMatch(/· PlanBatches +not run/);
    expect(result.out).toMatch(
      /✖ NoItems +Failed +reason: Nothing to fan out: parameter Items holds no items: \[\]/,
    );
    expect(result.out).toMatch(
      /^parent: Failed \(step NoItems: Nothing to fan out: parameter Items holds no items: \[\]\)$/m,
    );
  });

  it('creates the valid definitions next to the file (the fan-out children) unless --alone', async () => {
    const result = await cli('run', join(root, 'pipelines/parent.json'), '--param', 'BatchSize=5');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^also created: child-pipeline-1, child-pipeline-2, parent-batch$/m);
    expect(result.out).toMatch(/startedCount=2/);
    expect(result.out).toContain("2 other execution(s) ran (started by the pipeline's functions)");
    const alone = await cli('run', join(root, 'pipelines/parent.json'), '--alone');
    expect(alone.code).toBe(1);
    expect(alone.out).not.toContain('also created');
    expect(alone.out).toMatch(/✖ FanOut +Failed/);
  });

  it('creates the pipelines given with --with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-cli-'));
    const parent = join(dir, 'parent.json');
    writeFileSync(parent, readFileSync(join(root, 'pipelines/parent.json'), 'utf8'));
    const result = await cli(
      'run',
      parent,
      '--with',
      join(root, 'pipelines/child-pipeline-1.json'),
      '--with',
      join(root, 'pipelines/child-pipeline-2.json'),
      '--param',
      'BatchSize=5',
    );
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('also created');
    expect(result.out).toMatch(/startedCount=2/);
  });

  it('exits 1 with the ValidationException for a definition the API rejects, and 2 on a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-cli-'));
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      definition([{ Name: 'a', Type: 'Lambda', FunctionArn: 'f', DependsOn: ['ghost'] }]),
    );
    const broken = await cli('run', file);
    expect(broken.code).toBe(1);
    expect(broken.err).toBe(
      "error: ValidationException: Invalid pipeline definition: step 'a' depends on unknown step 'ghost'",
    );
    const usage = await cli('run');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^run needs a definition file\nusage: npm run local/);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('local CLI: callbacks, succeed, fail (against a running runtime)', () => {
  it('lists waiting callbacks and completes them by token', async () => {
    const local = await startLocalRuntime({ invoker: fakeInvoker({}) });
    const client = localSageMakerClient(local.url);
    try {
      await client.send(
        new CreatePipelineCommand({
          PipelineName: 'cb',
          RoleArn: 'arn:aws:iam::123456789012:role/r',
          ClientRequestToken: 'cli-callback-create-000000000000001',
          PipelineDefinition: definition([
            callbackStep('approve', { what: 'model' }, { by: 'String' }, 'approvals'),
          ]),
        }),
      );
      expect((await cli('callbacks', '--endpoint', local.url)).out).toBe(
        'no callback steps are waiting',
      );
      const first = await client.send(new StartPipelineExecutionCommand({ PipelineName: 'cb' }));
      const second = await client.send(new StartPipelineExecutionCommand({ PipelineName: 'cb' }));
      await waitFor(() => local.runtime.callbacks().length === 2);
      const listed = await cli('callbacks', '--endpoint', local.url);
      expect(listed.code).toBe(0);
      const [token1, token2] = local.runtime.callbacks().map((c) => c.token);
      expect(listed.out).toContain(`${token1}  approve  Executing  ${first.PipelineExecutionArn}`);
      expect(listed.out).toContain('arguments: {"what":"model"}');

      const ok = await cli(
        'succeed',
        token1 as string,
        '--output',
        'by=alice',
        '--endpoint',
        local.url,
      );
      expect(ok).toMatchObject({
        code: 0,
        out: `succeeded callback ${token1} of ${first.PipelineExecutionArn}`,
      });
      const failed = await cli(
        'fail',
        token2 as string,
        '--reason',
        'rejected',
        '--endpoint',
        local.url,
      );
      expect(failed.code).toBe(0);
      expect(await local.runtime.waitForExecution(first.PipelineExecutionArn as string)).toBe(
        'Succeeded',
      );
      expect(await local.runtime.waitForExecution(second.PipelineExecutionArn as string)).toBe(
        'Failed',
      );
      const again = await cli('succeed', token1 as string, '--endpoint', local.url);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(
        /^error: ConflictException: Callback token '.+' has already been used\.$/,
      );
    } finally {
      client.destroy();
      await local.close();
    }
  });
});
