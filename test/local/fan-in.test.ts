import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  type PipelineExecutionStep,
  RetryPipelineExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import { listAllExecutions } from '../../local/client';
import { waitFor } from '../support/local/runtime';
import { type FanInWorld, type FanInWorldOptions, startFanInWorld } from './fan-in-world';

const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];

describe('fan-in against the local runtime: parent-batch waits for its batch', () => {
  let world: FanInWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const start = async (options: FanInWorldOptions = {}) => {
    world = await startFanInWorld(options);
    return world;
  };

  const run = async (w: FanInWorld, parameters: Record<string, string>, token: string) => {
    const started = await w.client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'parent-batch',
        ClientRequestToken: token.padEnd(32, '0'),
        PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    return started.PipelineExecutionArn as string;
  };

  const stepsOf = async (w: FanInWorld, arn: string) =>
    (await w.client.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn })))
      .PipelineExecutionSteps ?? [];

  const outputsOf = (step: PipelineExecutionStep | undefined) =>
    Object.fromEntries(
      (step?.Metadata?.Callback?.OutputParameters ?? []).map((o) => [o.Name, o.Value]),
    );

  const children = async (w: FanInWorld) => {
    const all = [];
    for (const name of CHILDREN) {
      for (const summary of await listAllExecutions(w.client, name)) {
        const described = await w.client.send(
          new DescribePipelineExecutionCommand({
            PipelineExecutionArn: summary.PipelineExecutionArn,
          }),
        );
        all.push({ pipeline: name, ...described });
      }
    }
    return all;
  };

  const readResults = async (w: FanInWorld, uri: string) => {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    const s3 = new S3Client({
      endpoint: w.s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
    });
    try {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: match?.[1], Key: match?.[2] }))
      ).Body?.transformToString();
      return (body ?? '')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    } finally {
      s3.destroy();
    }
  };

  it('waits, and its Callback outputs equal the children’s real outcomes; the Report step uses them', async () => {
    const w = await start();
    const parent = await run(
      w,
      {
        Items: JSON.stringify([['north'], 'not-a-list', ['east']]),
        ToleratedFailures: '2',
        MaxFailedToContinue: '2',
      },
      'outcomes',
    );
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Succeeded');
    const kids = await children(w);
    expect(kids).toHaveLength(6);
    expect(kids.every((kid) => kid.PipelineExecutionStatus !== 'Executing')).toBe(true);
    const succeeded = kids.filter((kid) => kid.PipelineExecutionStatus === 'Succeeded').length;
    const steps = await stepsOf(w, parent);
    const outputs = outputsOf(steps.find((step) => step.StepName === 'RunBatch'));
    expect(outputs).toMatchObject({
      total: '6',
      succeeded: String(succeeded),
      failed: String(6 - succeeded),
    });
    expect(succeeded).toBe(4);
    const lines = await readResults(w, String(outputs.resultsUri));
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      const kid = kids.find((k) => k.PipelineExecutionArn === line.executionArn);
      expect(String(line.status).toLowerCase()).toBe(kid?.PipelineExecutionStatus?.toLowerCase());
    }
    const report = steps.find((step) => step.StepName === 'Report');
    expect(report?.StepStatus).toBe('Succeeded');
    expect(report?.Metadata?.Lambda?.OutputParameters?.[0]?.Value).toContain('succeeded=4 of 6');
    expect(w.delivery.stats.failedInvocations).toBe(0);
  });

  it('fails the parent with the reason when the batch goes beyond its tolerance', async () => {
    const w = await start();
    const parent = await run(
      w,
      {
        Items: JSON.stringify(['bad-0', ['b'], ['c'], ['d']]),
        ToleratedFailures: '1',
        MaxConcurrentExecutions: '2',
      },
      'tolerance',
    );
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Failed');
    const runBatch = (await stepsOf(w, parent)).find((step) => step.StepName === 'RunBatch');
    expect(runBatch?.StepStatus).toBe('Failed');
    expect(runBatch?.FailureReason).toMatch(
      /^2 of 8 child executions failed \(tolerated 1\): child-pipeline-[12] #0 /,
    );
    expect((runBatch?.FailureReason ?? '').length).toBeLessThanOrEqual(256);
    // The first failure is within tolerance, so its freed slot may start one more child (its
    // start may reach SageMaker after the second failure ended there: the ledger claimed it
    // before it recorded that failure). Nothing is claimed once the tolerance is exceeded, so
    // of the 8 pairs at most those 3 ever start.
    const kids = await children(w);
    const failedKids = kids.filter((kid) => kid.PipelineExecutionStatus === 'Failed');
    expect(failedKids).toHaveLength(2);
    expect(kids.length).toBeLessThanOrEqual(3);
  });

  it('stopping the parent stops the children and ends the parent Stopped', async () => {
    const w = await start({ childStepMs: 400 });
    const parent = await run(
      w,
      { Items: JSON.stringify([['a'], ['b'], ['c'], ['d']]), MaxConcurrentExecutions: '2' },
      'stop',
    );
    await waitFor(async () => (await children(w)).length === 2, 10_000);
    await w.client.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: parent,
        ClientRequestToken: 'stop-parent'.padEnd(32, '0'),
      }),
    );
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Stopped');
    const kids = await children(w);
    expect(kids).toHaveLength(2);
    expect(kids.map((kid) => kid.PipelineExecutionStatus)).toEqual(['Stopped', 'Stopped']);
    const runBatch = (await stepsOf(w, parent)).find((step) => step.StepName === 'RunBatch');
    expect(runBatch?.StepStatus).toBe('Stopped');
  });

  it('a parent retried after failures re-runs only the failed children', async () => {
    const w = await start({ flaky: 'flaky' });
    const parent = await run(
      w,
      { Items: JSON.stringify([['a'], ['flaky'], ['c']]), ToleratedFailures: '0' },
      'retry',
    );
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Failed');
    const before = await children(w);
    const failed = before.filter((kid) => kid.PipelineExecutionStatus === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    await w.client.send(
      new RetryPipelineExecutionCommand({
        PipelineExecutionArn: parent,
        ClientRequestToken: 'retry-parent'.padEnd(32, '0'),
      }),
    );
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Succeeded');
    const after = await children(w);
    expect(after).toHaveLength(6 + failed.length);
    const runs = new Map<string, number>();
    for (const kid of after) {
      const key = `${kid.pipeline}/${kid.PipelineExecutionDisplayName}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
    }
    const rerun = [...runs]
      .filter(([, count]) => count > 1)
      .map(([key]) => key)
      .sort();
    expect(rerun).toEqual(
      failed.map((kid) => `${kid.pipeline}/${kid.PipelineExecutionDisplayName}`).sort(),
    );
    const outputs = outputsOf((await stepsOf(w, parent)).find((s) => s.StepName === 'RunBatch'));
    expect(outputs).toMatchObject({ total: '6', succeeded: '6', failed: '0' });
  });

  it('starts nothing twice when the Callback message is delivered again', async () => {
    const w = await start({ childStepMs: 200 });
    const parent = await run(w, { Items: JSON.stringify([['a'], ['b'], ['c']]) }, 'dupes');
    await waitFor(() => w.local.runtime.callbacks().length > 0, 10_000);
    expect(w.redeliverCallback(parent)).toBe(true);
    expect(w.redeliverCallback(parent)).toBe(true);
    expect(await w.local.runtime.waitForExecution(parent)).toBe('Succeeded');
    const kids = await children(w);
    expect(kids).toHaveLength(6);
    expect(
      new Set(kids.map((kid) => `${kid.pipeline}/${kid.PipelineExecutionDisplayName}`)).size,
    ).toBe(6);
    expect(w.delivery.stats.failedInvocations).toBe(0);
  });
});
