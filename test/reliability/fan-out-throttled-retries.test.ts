/**
 * The ThrottledRetries metric against the local runtime: one send of a fan-out through the
 * production client (adaptive retry, the fan-out's rate limiter, 3 SDK attempts a call) and the
 * runner, with a time budget long enough that nothing is abandoned. Every throttled answer the
 * runtime gives is then retried, by the SDK or by the runner, so the invocation's
 * `throttledRetries` equals the runtime's own count of ThrottlingException answers to
 * StartPipelineExecution, which the runtime counts as it throws them.
 */

import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Knobs } from '../../local/knobs';
import { fanOutRequestSchema } from '../../shared/fan-out/request';
import type { FanOutResult } from '../../shared/fan-out/result';
import { type FanOutStats, runFanOut } from '../../shared/fan-out/runner';
import { sageMakerPort } from '../../shared/fan-out/sagemaker-client';
import {
  CHILD_PIPELINES,
  type FaultRuntime,
  ITEMS,
  startFaultRuntime,
} from '../support/local/fault-runtime';

const ITEM_COUNT = 100;

interface Measured {
  result: FanOutResult;
  stats: FanOutStats;
  /** ThrottlingException answers to StartPipelineExecution, counted by the runtime. */
  runtimeThrottled: number;
  /** Throttled answers the client saw, per attempt (the fault harness's tally). */
  clientThrottled: number;
}

const measure = async (name: string, knobs: Partial<Knobs>): Promise<Measured> => {
  const began = performance.now();
  const rt: FaultRuntime = await startFaultRuntime(knobs);
  try {
    let runtimeThrottled = 0;
    const handle = rt.local.runtime.handle.bind(rt.local.runtime);
    rt.local.runtime.handle = async (operation, input) => {
      try {
        return await handle(operation, input);
      } catch (error) {
        if (
          operation === 'StartPipelineExecution' &&
          (error as { type?: unknown }).type === 'ThrottlingException'
        ) {
          runtimeThrottled++;
        }
        throw error;
      }
    };
    const stats: FanOutStats[] = [];
    const deadline = Date.now() + 120_000;
    const result = await runFanOut(
      v.parse(fanOutRequestSchema, {
        pipelines: [...CHILD_PIPELINES],
        items: ITEMS.slice(0, ITEM_COUNT),
        parameters: { Item: '{{item}}', N: '{{item.n}}' },
        batchKey: `throttled-retries-${name}`,
      }),
      {
        sagemaker: sageMakerPort(rt.client),
        allowList: { kind: 'any' },
        remainingTimeMs: () => deadline - Date.now(),
        // What is measured is the counting of retries, not the cap on them: on a loaded
        // machine one item can draw 12 throttled answers in a row (4 calls of 3 attempts)
        // and be deferred, which leaves its last throttled answer unretried.
        limits: { maxCallsPerItem: 12 },
        onStats: (s) => stats.push(s),
      },
    );
    const measured = {
      result,
      stats: stats[0] as FanOutStats,
      runtimeThrottled,
      clientThrottled: rt.tally.throttled,
    };
    console.info(
      `[throttled retries] ${name}: started ${result.started}, deferred ${result.deferred}; runtime answered ${runtimeThrottled} throttled (client saw ${rt.tally.throttled}, ${rt.tally.ok} ok); throttledRetries ${measured.stats.throttledRetries}, retries ${measured.stats.retries}; ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    return measured;
  } finally {
    await rt.close();
  }
};

describe.each([
  { name: '30% random throttling', knobs: { throttleRate: 0.3 } },
  { name: 'a 100/s start rate limit', knobs: { startRateLimit: 100 } },
])('ThrottledRetries of one fan-out under $name', ({ name, knobs }) => {
  let measured: Measured;
  beforeAll(async () => {
    measured = await measure(name, knobs);
  }, 120_000);

  it('equals the throttled answers the runtime gave, each retried once', () => {
    const { result, stats, runtimeThrottled, clientThrottled } = measured;
    expect(result).toMatchObject({ started: ITEM_COUNT * 2, deferred: 0, failed: [] });
    expect(runtimeThrottled).toBeGreaterThan(0);
    expect(clientThrottled).toBe(runtimeThrottled);
    expect(stats.throttledRetries).toBe(runtimeThrottled);
    // Nothing else failed, so every retry followed a throttled answer.
    expect(stats.retries).toBe(stats.throttledRetries);
  });
});
