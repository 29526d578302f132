import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputValidationError } from '../../../shared/errors';
import type { AllowList } from '../../../shared/fan-out/allow-list';
import { PipelineNotAllowedError } from '../../../shared/fan-out/errors';
import { displayNameOf } from '../../../shared/fan-out/identity';
import { type FanOutRequest, fanOutRequestSchema } from '../../../shared/fan-out/request';
import { type FanOutDeps, type FanOutStats, runFanOut } from '../../../shared/fan-out/runner';
import type { FanOutSageMaker } from '../../../shared/fan-out/sagemaker';
import { sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import {
  FakeSageMaker,
  instantSleep,
  mockSageMaker,
  serverError,
  throttling,
  validationError,
} from '../../support/sagemaker/fake-sagemaker';
import {
  inTurn,
  type Script,
  type ScriptedSageMaker,
  startScriptedSageMaker,
} from '../../support/sagemaker/scripted-sagemaker';

const allowAll: AllowList = { kind: 'any' };

const request = (overrides: Record<string, unknown> = {}): FanOutRequest =>
  v.parse(fanOutRequestSchema, {
    pipelines: ['child-a', 'child-b'],
    items: ['a', 'b', 'c', 'd', 'e'],
    batchKey: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/p1',
    ...overrides,
  });

describe('runFanOut', () => {
  let fake: FakeSageMaker;
  let port: FanOutSageMaker;
  let mock: ReturnType<typeof mockSageMaker>['mock'];
  let stats: FanOutStats[];

  const deps = (overrides: Partial<FanOutDeps> = {}): FanOutDeps => ({
    sagemaker: port,
    allowList: allowAll,
    remainingTimeMs: () => 600_000,
    sleep: instantSleep().sleep,
    random: () => 0.5,
    onStats: (s) => stats.push(s),
    now: () => new Date('2026-12-01T09:00:00.000Z'),
    caller: 'arn:aws:iam::123456789012:user/tester',
    home: { partition: 'aws', region: 'us-east-1', account: '123456789012' },
    ...overrides,
  });

  beforeEach(() => {
    fake = new FakeSageMaker();
    ({ port, mock } = mockSageMaker(fake));
    stats = [];
  });
  afterEach(() => mock.restore());

  it('starts one execution per (pipeline, item) with display name, description, token and parameters', async () => {
    const result = await runFanOut(
      request({
        parameters: { Item: '{{item}}', Index: '{{index}}' },
        maxParallelExecutionSteps: 2,
      }),
      deps(),
    );
    expect(result).toMatchObject({ requested: 10, started: 10, deferred: 0, failed: [] });
    expect(fake.executions).toHaveLength(10);
    const first = fake.startInputs.find(
      (c) => c.PipelineName === 'child-b' && c.PipelineParameters?.[1]?.Value === '3',
    );
    expect(first).toMatchObject({
      PipelineExecutionDisplayName: `fan-out-${result.batchId}-3`,
      PipelineParameters: [
        { Name: 'Item', Value: 'd' },
        { Name: 'Index', Value: '3' },
      ],
      ParallelismConfiguration: { MaxParallelExecutionSteps: 2 },
    });
    expect(JSON.parse(first?.PipelineExecutionDescription ?? '')).toEqual({
      batchId: result.batchId,
      index: 3,
      pipeline: 'child-b',
      createdAt: '2026-12-01T09:00:00.000Z',
      fingerprint: expect.objectContaining({ items: expect.stringMatching(/^[0-9a-f]{16}$/) }),
      caller: 'arn:aws:iam::123456789012:user/tester',
    });
    expect(first?.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(result.executions.map((e) => [e.pipeline, e.index])).toEqual(
      ['a', 'b', 'c', 'd', 'e'].flatMap((_, i) => [
        ['child-a', i],
        ['child-b', i],
      ]),
    );
    expect(stats[0]).toMatchObject({ startCalls: 10, deferred: 0, failed: 0 });
  });

  it('puts the item in a parameter named Item when the request has no parameters', async () => {
    await runFanOut(request({ pipelines: ['child-a'], items: [{ id: 1 }] }), deps());
    expect(fake.startInputs[0]?.PipelineParameters).toEqual([{ Name: 'Item', Value: '{"id":1}' }]);
  });

  it('never has more calls in flight than maxConcurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    fake.beforeAnswer = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
    };
    const result = await runFanOut(
      request({ items: Array.from({ length: 40 }, (_, i) => i), maxConcurrency: 3 }),
      deps(),
    );
    expect(result.started).toBe(80);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('retries a throttled call with backoff and the same token until it succeeds', async () => {
    const { delays, sleep } = instantSleep();
    fake.fault = (_input, call) => (call <= 2 ? throttling() : undefined);
    const result = await runFanOut(
      request({ pipelines: ['child-a'], items: ['x'] }),
      deps({ sleep }),
    );
    expect(result.started).toBe(1);
    expect(fake.startInputs).toHaveLength(3);
    expect(new Set(fake.startInputs.map((c) => c.ClientRequestToken)).size).toBe(1);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? 0);
    // Two calls each after 3 SDK attempts: 2 × 2 SDK retries + 2 of ours.
    expect(stats[0]?.throttledRetries).toBe(6);
  });

  it('defers an item whose calls stay throttled, without failing it', async () => {
    fake.fault = () => throttling();
    const result = await runFanOut(
      request({ pipelines: ['child-a'], items: ['x'] }),
      deps({ limits: { maxCallsPerItem: 3 } }),
    );
    expect(fake.startInputs).toHaveLength(3);
    expect(result).toMatchObject({ started: 0, deferred: 1, failed: [] });
    expect(result.deferredExecutions).toEqual([
      { pipeline: 'child-a', index: 0, reason: 'retries-exhausted' },
    ]);
  });

  it('starts exactly one execution when a 500 hides that the first call succeeded', async () => {
    fake.fault = (_input, call) => (call === 1 ? 'after-start' : undefined);
    const result = await runFanOut(request({ pipelines: ['child-a'], items: ['x'] }), deps());
    expect(fake.startInputs).toHaveLength(2);
    expect(fake.executions).toHaveLength(1);
    expect(result.executions[0]?.executionArn).toBe(fake.executions[0]?.arn);
  });

  it('stops starting at ResourceLimitExceeded and reports the rest as deferred', async () => {
    fake.quota = 4;
    const result = await runFanOut(request({ maxConcurrency: 1 }), deps());
    expect(result).toMatchObject({ requested: 10, started: 4, deferred: 6, failed: [] });
    expect(fake.startInputs).toHaveLength(5);
    expect(new Set(result.deferredExecutions.map((d) => d.reason))).toEqual(
      new Set(['resource-limit']),
    );
  });

  it('resumes a deferred batch: started items come back with their ARNs and are not started again', async () => {
    fake.quota = 4;
    const first = await runFanOut(request({ maxConcurrency: 2 }), deps());
    expect(first.deferred).toBeGreaterThan(0);
    fake.finishAll();
    fake.quota = Number.POSITIVE_INFINITY;
    const callsBefore = fake.startInputs.length;

    const second = await runFanOut(request({ maxConcurrency: 2 }), deps());
    expect(second).toMatchObject({ started: 10, deferred: 0, failed: [] });
    expect(fake.executions).toHaveLength(10);
    expect([...fake.countsByPair().values()].every((n) => n === 1)).toBe(true);
    for (const execution of first.executions) {
      expect(second.executions).toContainEqual(execution);
    }
    // Only the deferred ones were called again.
    expect(fake.startInputs.length - callsBefore).toBe(first.deferred);
    expect(stats[1]?.resumed).toBe(first.started);
  });

  it('starts nothing when listing existing executions fails: the batch cannot be verified', async () => {
    await runFanOut(request({ items: ['a', 'b'] }), deps());
    fake.listFault = serverError();
    const again = await runFanOut(request({ items: ['a', 'b'] }), deps());
    expect(again).toMatchObject({ started: 0, deferred: 4 });
    expect(again.deferredExecutions.every((d) => d.reason === 'retries-exhausted')).toBe(true);
    expect(fake.executions).toHaveLength(4);
    expect(fake.startInputs).toHaveLength(4);
  });

  it('stops starting when the remaining time falls under the safety margin', async () => {
    let remaining = 60_000;
    fake.fault = () => {
      remaining -= 10_000;
      return undefined;
    };
    const result = await runFanOut(
      request({ maxConcurrency: 1 }),
      deps({ remainingTimeMs: () => remaining, limits: { stopStartingBelowMs: 8_000 } }),
    );
    // 60 s, minus 10 s per start: the sixth begins with 10 s left (over the 8 s margin),
    // the seventh would begin with none.
    expect(result).toMatchObject({ started: 6, deferred: 4 });
    expect(result.deferredExecutions.every((d) => d.reason === 'time-budget')).toBe(true);
  });

  it('abandons a call still in flight at the deadline and reports its item deferred', async () => {
    fake.beforeAnswer = (input) =>
      input.PipelineExecutionDisplayName?.endsWith('-1')
        ? new Promise(() => undefined)
        : Promise.resolve();
    const result = await runFanOut(
      request({ pipelines: ['child-a'], items: ['a', 'b'], maxConcurrency: 2 }),
      deps({
        remainingTimeMs: () => 40,
        limits: { stopStartingBelowMs: 10, abandonInFlightBelowMs: 20 },
      }),
    );
    expect(result.executions.map((e) => e.index)).toEqual([0]);
    expect(result.deferredExecutions).toEqual([
      { pipeline: 'child-a', index: 1, reason: 'time-budget' },
    ]);
  });

  it('defers everything, calling nothing, when invoked with less time than the margin', async () => {
    const result = await runFanOut(request(), deps({ remainingTimeMs: () => 1_000 }));
    expect(result).toMatchObject({ started: 0, deferred: 10 });
    expect(fake.startInputs).toHaveLength(0);
  });

  it('fails only the (pipeline, item) SageMaker rejects, with its error name and message', async () => {
    fake.fault = (input) =>
      input.PipelineName === 'child-b' && input.PipelineExecutionDisplayName?.endsWith('-2')
        ? validationError('Parameter Item is not declared')
        : undefined;
    const result = await runFanOut(request(), deps());
    expect(result.started).toBe(9);
    expect(result.failed).toEqual([
      {
        pipeline: 'child-b',
        index: 2,
        error: { name: 'ValidationException', message: 'Parameter Item is not declared' },
      },
    ]);
  });

  it('retries a ConflictException and fails the item if it persists', async () => {
    const conflict = Object.assign(new Error('Pipeline is being updated'), {
      name: 'ConflictException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    fake.fault = () => conflict;
    const result = await runFanOut(
      request({ pipelines: ['child-a'], items: ['x'] }),
      deps({ limits: { maxCallsPerItem: 3 } }),
    );
    expect(fake.startInputs).toHaveLength(3);
    expect(result.failed).toEqual([
      {
        pipeline: 'child-a',
        index: 0,
        error: { name: 'ConflictException', message: 'Pipeline is being updated' },
      },
    ]);
  });

  it('fails every item of a missing pipeline and starts the others', async () => {
    const result = await runFanOut(
      request({ pipelines: ['child-a', 'gone'], maxConcurrency: 1 }),
      deps(),
    );
    expect(result.started).toBe(5);
    expect(result.failed).toHaveLength(5);
    expect(
      result.failed.every((f) => f.pipeline === 'gone' && f.error.name === 'ResourceNotFound'),
    ).toBe(true);
    // After the first ResourceNotFound the pipeline is known missing: no call per item.
    expect(fake.startInputs.filter((c) => c.PipelineName === 'gone')).toHaveLength(1);
  });

  it('accepts a pipeline ARN and gives it the same tokens as its name', async () => {
    const byName = await runFanOut(request({ pipelines: ['child-a'], dryRun: true }), deps());
    const byArn = await runFanOut(
      request({
        pipelines: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-a'],
        dryRun: true,
      }),
      deps(),
    );
    expect(byArn.plan?.map((p) => p.clientRequestToken)).toEqual(
      byName.plan?.map((p) => p.clientRequestToken),
    );
  });

  it('returns the full plan on a dry run without calling SageMaker', async () => {
    const result = await runFanOut(
      request({
        items: [{ id: 7 }],
        parameters: { Id: '{{item.id}}', Batch: '{{batchId}}' },
        dryRun: 'true',
      }),
      deps(),
    );
    expect(mock.calls()).toHaveLength(0);
    expect(result).toMatchObject({ dryRun: true, started: 0, requested: 2 });
    expect(result.plan).toEqual([
      expect.objectContaining({
        pipeline: 'child-a',
        index: 0,
        displayName: displayNameOf('fan-out', result.batchId, 0),
        parameters: [
          { Name: 'Id', Value: '7' },
          { Name: 'Batch', Value: result.batchId },
        ],
      }),
      expect.objectContaining({ pipeline: 'child-b', index: 0 }),
    ]);
  });

  it('refuses pipelines outside the allow-list before any call', async () => {
    const allowList: AllowList = { kind: 'names', names: new Set(['child-a']) };
    await expect(runFanOut(request(), deps({ allowList }))).rejects.toThrow(
      PipelineNotAllowedError,
    );
    await expect(runFanOut(request(), deps({ allowList }))).rejects.toThrow(/"child-b"/);
    expect(mock.calls()).toHaveLength(0);
  });

  it('refuses every pipeline when no allow-list is configured', async () => {
    await expect(runFanOut(request(), deps({ allowList: { kind: 'none' } }))).rejects.toThrow(
      /FAN_OUT_ALLOWED_PIPELINES is not set/,
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('starts nothing when a template fails for some item', async () => {
    await expect(
      runFanOut(request({ items: [{ id: 1 }, {}], parameters: { Id: '{{item.id}}' } }), deps()),
    ).rejects.toThrow(InputValidationError);
    expect(mock.calls()).toHaveLength(0);
  });
});

/**
 * Retries and ThrottledRetries against real HTTP answers through the production client, so the
 * SDK's own retries (3 attempts a call) run as they do against SageMaker.
 */
describe('runFanOut counts retries inside the SDK and its own', () => {
  let service: ScriptedSageMaker | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  const run = async (script: Script, overrides: Record<string, unknown> = {}) => {
    service = await startScriptedSageMaker(script);
    const stats: FanOutStats[] = [];
    const result = await runFanOut(request({ pipelines: ['child-a'], ...overrides }), {
      sagemaker: sageMakerPort(service.client),
      allowList: allowAll,
      remainingTimeMs: () => 600_000,
      sleep: instantSleep().sleep,
      random: () => 0.5,
      onStats: (s) => stats.push(s),
      ...(overrides.limits ? { limits: overrides.limits as FanOutDeps['limits'] } : {}),
    });
    return { result, stats: stats[0] as FanOutStats, answered: service.answered };
  };

  it('counts every throttled attempt the SDK retried in calls that then succeeded', async () => {
    const throttles: Record<string, number> = { a: 0, b: 1, c: 2, d: 2, e: 1 };
    const { result, stats, answered } = await run(({ input }, earlier) => {
      const item = (input.PipelineParameters as Array<{ Value: string }>)[0]?.Value ?? '';
      return earlier < (throttles[item] ?? 0) ? 'throttled' : 'ok';
    });
    expect(result).toMatchObject({ started: 5, deferred: 0 });
    expect(answered).toEqual({ ok: 5, throttled: 6, 'server-error': 0 });
    expect(stats).toMatchObject({ startCalls: 5, throttledRetries: 6, retries: 6 });
  });

  it('counts throttles that exhaust the SDK attempts, then its own retry, once each', async () => {
    const { result, stats, answered } = await run(inTurn('throttled', 'throttled', 'throttled'), {
      items: ['x'],
    });
    expect(result.started).toBe(1);
    // The SDK's 2 retries inside the first call, and ours after its last throttled answer.
    expect(answered).toEqual({ ok: 1, throttled: 3, 'server-error': 0 });
    expect(stats).toMatchObject({ throttledRetries: 3, retries: 3 });
  });

  it('counts retries after a 5xx in retries but not as throttled', async () => {
    const { result, stats, answered } = await run(
      inTurn('server-error', 'server-error', 'server-error', 'throttled'),
      { items: ['x'] },
    );
    expect(result.started).toBe(1);
    expect(answered).toEqual({ ok: 1, throttled: 1, 'server-error': 3 });
    // SDK: 2 after a 500; ours: 1 after a 500; SDK in our call: 1 after the throttle.
    expect(stats).toMatchObject({ throttledRetries: 1, retries: 4 });
  });

  it('does not count a throttled answer nobody retried: the item is deferred', async () => {
    const { result, stats, answered } = await run(() => 'throttled', {
      items: ['x'],
      limits: { maxCallsPerItem: 2 },
    });
    expect(result).toMatchObject({ started: 0, deferred: 1 });
    expect(answered.throttled).toBe(6);
    expect(stats).toMatchObject({ throttledRetries: 5, retries: 5 });
  });
});
