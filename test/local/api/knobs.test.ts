import { ListPipelinesCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { create, setup, setupSlow, TOKEN } from '../../support/local/api';
import { errorOf, waitFor } from '../../support/local/runtime';

describe('API: knobs', () => {
  it('answers ResourceLimitExceeded beyond the concurrent-execution quota, and starts again once one ends', async () => {
    const { local, client, gate } = await setupSlow(1, { knobs: { maxConcurrentExecutions: 2 } });
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
    const { client, gate } = await setupSlow(1, { knobs: { maxConcurrentExecutions: 1 } });
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
    // Time stands still, so all five calls fall in one second however slow the machine is.
    let now = Date.parse('2026-11-29T08:00:00Z');
    const { client } = await setup(
      {},
      { knobs: { startRateLimit: 3 }, clock: () => new Date(now) },
    );
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
    // A second later the window has room again.
    now += 1_000;
    await client.send(new StartPipelineExecutionCommand({ PipelineName: 'p' }));
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
    const off = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 0, startRateLimit: '10', maxConcurrentExecutions: 'off' }),
    });
    expect(await off.json()).toMatchObject({
      latencyMs: 0,
      startRateLimit: 10,
      maxConcurrentExecutions: null,
    });
    expect(local.runtime.knobs.maxConcurrentExecutions).toBe(Number.POSITIVE_INFINITY);
    const bad = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ faultRate: 2 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      "faultRate must be a share between 0 and 1, got '2'",
    );
  });

  it('makes every Lambda step take the step latency, set over /_local/knobs as a range', async () => {
    const { local, client } = await setup();
    await create(client, 'p');
    const set = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ stepLatencyMs: '150-200' }),
    });
    expect(((await set.json()) as { stepLatencyMs: number[] }).stepLatencyMs).toEqual([150, 200]);
    const began = Date.now();
    const started = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'p',
        ClientRequestToken: TOKEN('slow-step'),
      }),
    );
    expect(await local.runtime.waitForExecution(String(started.PipelineExecutionArn))).toBe(
      'Succeeded',
    );
    expect(Date.now() - began).toBeGreaterThanOrEqual(150);
    const bad = await fetch(`${local.url}/_local/knobs`, {
      method: 'POST',
      body: JSON.stringify({ stepLatencyMs: [200, 100] }),
    });
    expect(bad.status).toBe(400);
  });
});
