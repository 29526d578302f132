import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { type FanOutDeps, runFanOut } from '../../../shared/fan-out/runner';
import {
  FakeSageMaker,
  instantSleep,
  mockSageMaker,
  serverError,
  throttling,
} from '../../support/sagemaker/fake-sagemaker';

/** A small deterministic PRNG, so a failing fast-check seed replays exactly. */
const prng = (seed: number) => {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
};

/**
 * Sends needed at most: the quota lets each send start at most `quota` new executions,
 * and a send has time for about 40 calls of which 45% fail; a few more cover that.
 */
const maxSends = (pairs: number, quota: number) => Math.ceil(pairs / quota) + 8;

describe('re-sending the same request until nothing is deferred', () => {
  it('ends with exactly one execution per (pipeline, item) under throttling, 5xx, quota and time faults', async () => {
    let mostSends = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 5, max: 40 }), // account quota of running executions
        fc.integer({ min: 1, max: 8 }),
        async (seed, itemCount, quota, concurrency) => {
          const fake = new FakeSageMaker();
          const { mock, port } = mockSageMaker(fake);
          try {
            const random = prng(seed);
            fake.quota = quota;
            // 30% throttling, 10% 500, 5% 500 after the execution was created.
            fake.fault = () => {
              const roll = random();
              if (roll < 0.3) return throttling();
              if (roll < 0.4) return serverError();
              if (roll < 0.45) return 'after-start';
              return undefined;
            };
            // Each invocation has time for about 40 calls: the budget runs out mid-batch.
            let remaining = 0;
            fake.beforeAnswer = async () => {
              remaining -= 1_000;
            };
            const request = v.parse(fanOutRequestSchema, {
              pipelines: ['child-a', 'child-b'],
              items: Array.from({ length: itemCount }, (_, i) => ({ n: i })),
              batchKey: `batch-${seed}`,
              maxConcurrency: concurrency,
            });
            const deps: FanOutDeps = {
              sagemaker: port,
              allowList: { kind: 'any' },
              remainingTimeMs: () => remaining,
              sleep: instantSleep().sleep,
              random,
              limits: { stopStartingBelowMs: 1_000, abandonInFlightBelowMs: 0 },
            };
            let sends = 0;
            const send = () => {
              remaining = 41_000;
              sends++;
              return runFanOut(request, deps);
            };
            let result = await send();
            while (result.deferred > 0) {
              expect(sends).toBeLessThan(maxSends(itemCount * 2, quota));
              // Children finish between sends, freeing the quota.
              fake.finishAll();
              result = await send();
            }
            mostSends = Math.max(mostSends, sends);
            expect(result).toMatchObject({ started: itemCount * 2, failed: [] });
            const counts = fake.countsByPair();
            expect(counts.size).toBe(itemCount * 2);
            expect([...counts.values()].every((n) => n === 1)).toBe(true);
            const arns = new Set(fake.executions.map((e) => e.arn));
            expect(result.executions.every((e) => arns.has(e.executionArn))).toBe(true);
          } finally {
            mock.restore();
          }
        },
      ),
      { numRuns: 30 },
    );
    console.info(`most sends needed: ${mostSends}`);
  });
});
