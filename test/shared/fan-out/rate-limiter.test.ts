import { describe, expect, it } from 'vitest';
import { FanOutRateLimiter } from '../../../shared/fan-out/rate-limiter';
import { throttling } from '../../support/sagemaker/fake-sagemaker';

/** A limiter on a fake clock whose sleep advances the clock. */
const limiterAt = (start = 1_000_000) => {
  const clock = { now: start };
  const slept: number[] = [];
  const limiter = new FanOutRateLimiter(
    () => clock.now,
    {},
    async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
  );
  // The first call opens the first window at `start`.
  void limiter.getSendToken();
  return { clock, slept, limiter };
};

const throttled = { errorType: 'THROTTLING', error: throttling() };

/** Reports `total` answers spread over `ms`, the first `throttledCount` of them throttled. */
const answer = (
  { clock, limiter }: ReturnType<typeof limiterAt>,
  total: number,
  throttledCount: number,
  ms = 500,
) => {
  for (let i = 0; i < total; i++) {
    clock.now += ms / total;
    limiter.updateClientSendingRate(i < throttledCount ? throttled : {});
  }
};

describe('FanOutRateLimiter', () => {
  it('paces nothing until a window is mostly throttled', async () => {
    const t = limiterAt();
    answer(t, 40, 4);
    for (let i = 0; i < 50; i++) await t.limiter.getSendToken();
    expect(t.slept).toEqual([]);
    expect(t.limiter.currentRate).toBeUndefined();
  });

  it('leaves a steady 30% share of throttles to the retries', () => {
    const t = limiterAt();
    for (let window = 0; window < 10; window++) answer(t, 40, 12);
    expect(t.limiter.currentRate).toBeUndefined();
  });

  it('sets the rate a quarter above what the service accepted when most answers are throttled', () => {
    const t = limiterAt();
    answer(t, 40, 0); // 80 calls/s accepted
    answer(t, 40, 35); // then 10 calls/s accepted, the rest throttled
    // Accepted over the last second: (40 + 5) calls in 1 s, plus a quarter.
    expect(t.limiter.currentRate).toBeCloseTo(45 * 1.25, 5);
  });

  it('then spaces the calls at that rate', async () => {
    const t = limiterAt();
    answer(t, 20, 18);
    answer(t, 20, 18); // 4 accepted per second: rate 5/s
    expect(t.limiter.currentRate).toBeCloseTo(5, 5);
    for (let i = 0; i < 6; i++) await t.limiter.getSendToken();
    expect(t.slept.length).toBeGreaterThan(0);
    expect(Math.max(...t.slept)).toBeLessThanOrEqual(200);
    expect(t.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(800);
  });

  it('grows the rate by a quarter per calm window and stops pacing once it no longer binds', () => {
    const t = limiterAt();
    answer(t, 20, 18);
    answer(t, 20, 18);
    const cut = t.limiter.currentRate ?? 0;
    answer(t, 10, 0);
    expect(t.limiter.currentRate).toBeCloseTo(cut * 1.25, 5);
    for (let window = 0; window < 12; window++) answer(t, 3, 0);
    expect(t.limiter.currentRate).toBeUndefined();
  });

  it('starts afresh after 10 s without calls', () => {
    const t = limiterAt();
    answer(t, 20, 18);
    answer(t, 20, 18);
    expect(t.limiter.currentRate).toBeDefined();
    t.clock.now += 10_001;
    t.limiter.updateClientSendingRate({});
    expect(t.limiter.currentRate).toBeUndefined();
  });

  it('judges no window on too few answers', () => {
    const t = limiterAt();
    answer(t, 4, 4);
    answer(t, 4, 4);
    expect(t.limiter.currentRate).toBeUndefined();
  });
});
