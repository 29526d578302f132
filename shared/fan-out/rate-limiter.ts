import { isThrottling } from './classify';

/**
 * The client-side rate limiter of the fan-out's adaptive retry mode. The SDK's
 * `AdaptiveRetryStrategy` takes any limiter with these two methods; its default
 * (`DefaultRateLimiter`, CUBIC) cuts the rate at every throttled answer from a lagging
 * measure of the sending rate. Against a service that throttles a steady share of calls
 * whatever the rate (30% in the fault suite), that ratchets down to a few calls per
 * second and stays there; at a 100/s limit with the SDK's constants it ran at about 45/s.
 *
 * This one reacts to what a rate limit looks like: a large share of throttled answers.
 * Answers are counted in windows of 500 ms. Over half of a window's answers throttled
 * (and enough answers to judge) means the calls outrun the service: the rate is set just
 * above what the service accepted in that window. Otherwise the rate grows by a quarter per
 * window until it no longer binds. A steady small share of throttles is left to the
 * retries, with backoff and the same ClientRequestToken. Before the first cut, and again
 * after 10 s without calls, nothing is paced.
 */
export interface RateLimiterOptions {
  windowMs: number;
  /** Share of throttled answers in a window above which the rate is cut. */
  throttledShare: number;
  /** Fewest answers in a window to judge it. */
  minAnswers: number;
  /** After a cut: the accepted rate times this. */
  headroom: number;
  /** Growth per window without a cut. */
  growth: number;
  /** Never below this many calls per second. */
  minRate: number;
  idleResetMs: number;
}

export const DEFAULT_RATE_LIMITER_OPTIONS: RateLimiterOptions = {
  windowMs: 500,
  throttledShare: 0.5,
  minAnswers: 8,
  headroom: 1.25,
  growth: 1.25,
  minRate: 0.5,
  idleResetMs: 10_000,
};

/** Whether the retry strategy reports a throttled answer (`errorType` or the error itself). */
function isThrottledAnswer(info: unknown): boolean {
  if (info === null || typeof info !== 'object') return false;
  const { errorType, error } = info as { errorType?: unknown; error?: unknown };
  return errorType === 'THROTTLING' || (error !== undefined && isThrottling(error));
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export class FanOutRateLimiter {
  private readonly options: RateLimiterOptions;
  /** Calls per second allowed; `undefined` while nothing is paced. */
  private rate: number | undefined;
  private tokens = 0;
  private lastRefill = 0;
  private windowStart = 0;
  private answers = 0;
  private throttled = 0;
  /** The window before, so the accepted rate is measured over about a second. */
  private previous = { answers: 0, throttled: 0, elapsed: 0 };
  private lastUse = 0;

  constructor(
    private readonly now: () => number = Date.now,
    options: Partial<RateLimiterOptions> = {},
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    this.options = { ...DEFAULT_RATE_LIMITER_OPTIONS, ...options };
  }

  /** The paced rate in calls per second, or `undefined` when nothing is paced. */
  get currentRate(): number | undefined {
    return this.rate;
  }

  private touch(now: number): void {
    if (this.lastUse !== 0 && now - this.lastUse > this.options.idleResetMs) {
      this.rate = undefined;
      this.answers = 0;
      this.throttled = 0;
      this.previous = { answers: 0, throttled: 0, elapsed: 0 };
      this.windowStart = now;
    }
    if (this.windowStart === 0) this.windowStart = now;
    this.lastUse = now;
  }

  /** Waits until a call may be sent. */
  async getSendToken(): Promise<void> {
    this.touch(this.now());
    for (;;) {
      const rate = this.rate;
      if (rate === undefined) return;
      const now = this.now();
      // A bucket of a quarter second's worth of calls: small bursts, no stampede.
      const capacity = Math.max(1, rate / 4);
      this.tokens = Math.min(capacity, this.tokens + ((now - this.lastRefill) / 1000) * rate);
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / rate) * 1000));
    }
  }

  /** Counts an answer (`{}` for a success, the retry error info otherwise) and adjusts the rate. */
  updateClientSendingRate(info: unknown): void {
    const now = this.now();
    this.touch(now);
    this.answers++;
    if (isThrottledAnswer(info)) this.throttled++;
    const elapsed = now - this.windowStart;
    if (elapsed < this.options.windowMs) return;
    const { answers, throttled, previous } = this;
    this.previous = { answers, throttled, elapsed };
    this.windowStart = now;
    this.answers = 0;
    this.throttled = 0;
    if (answers >= this.options.minAnswers && throttled / answers > this.options.throttledShare) {
      // Accepted over this window and the one before: a per-second limit shows over a second.
      const accepted =
        ((answers - throttled + previous.answers - previous.throttled) /
          (elapsed + previous.elapsed)) *
        1000;
      this.rate = Math.max(this.options.minRate, accepted * this.options.headroom);
      this.tokens = Math.min(this.tokens, Math.max(1, this.rate / 4));
      this.lastRefill = now;
    } else if (this.rate !== undefined) {
      this.rate *= this.options.growth;
      // No longer binding: the calls go slower than the rate allows.
      const sent = (answers / elapsed) * 1000;
      if (this.rate > 4 * sent + 10) this.rate = undefined;
    }
  }
}
