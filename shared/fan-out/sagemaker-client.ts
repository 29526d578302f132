import {
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
// The SDK's own retry module (a dependency of every v3 client): the strategy that
// `retryMode: 'adaptive'` creates, built here with limiter constants for bulk starts.
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';
import { optionalEnv } from '../config';
import type { FanOutSageMaker } from './sagemaker';

type Env = Readonly<Record<string, string | undefined>>;

type RateLimiter = NonNullable<
  NonNullable<ConstructorParameters<typeof AdaptiveRetryStrategy>[1]>['rateLimiter']
>;

/** Attempts per call inside the SDK (the default); the runner retries on top with the same token. */
export const SDK_MAX_ATTEMPTS = 3;

/**
 * Constants of the adaptive rate limiter. The SDK's defaults (beta 0.7, scale 0.4) cut the
 * rate by 30% at each throttle and take seconds to climb back: against a local runtime
 * limited to 100 starts/s with 50 ms latency, 1,000 starts ran at about 45/s, where
 * standard mode (no limiter) reached about 83/s on the same machine. Cutting by 5% and
 * recovering within about half a second (beta 0.95, scale 40) ran at about 80/s, while
 * still slowing down whenever SageMaker throttles.
 */
export const RATE_LIMITER_OPTIONS = { beta: 0.95, scaleConstant: 40 } as const;

/** After this long without a call, the limiter starts afresh instead of from a stale rate. */
export const RATE_LIMITER_IDLE_RESET_MS = 10_000;

/**
 * The SDK's adaptive rate limiter, reset after an idle period. A limiter kept across
 * invocations of a warm Lambda container measures the idle gap as a near-zero sending
 * rate and would restart the next fan-out from a crawl.
 */
export class FanOutRateLimiter implements RateLimiter {
  private limiter: DefaultRateLimiter;
  private lastUse = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: ConstructorParameters<
      typeof DefaultRateLimiter
    >[0] = RATE_LIMITER_OPTIONS,
  ) {
    this.limiter = new DefaultRateLimiter(options);
  }

  private current(): DefaultRateLimiter {
    const now = this.now();
    if (this.lastUse !== 0 && now - this.lastUse > RATE_LIMITER_IDLE_RESET_MS) {
      this.limiter = new DefaultRateLimiter(this.options);
    }
    this.lastUse = now;
    return this.limiter;
  }

  getSendToken(): Promise<void> {
    return this.current().getSendToken();
  }

  updateClientSendingRate(response: unknown): void {
    this.current().updateClientSendingRate(response);
  }
}

/**
 * The SageMaker client of a fan-out function, created once per container. Adaptive retry
 * mode: a client-side rate limiter that slows down when SageMaker throttles, on top of
 * retries with backoff for throttling and 5xx (the SDK's `StandardRetryStrategy`; error
 * classes in `@smithy/core` retry `service-error-classification`).
 * `SAGEMAKER_ENDPOINT` (optional) points it at the local runtime or an emulator.
 */
export const createSageMakerClient = (env: Env = process.env): SageMakerClient => {
  const endpoint = optionalEnv('SAGEMAKER_ENDPOINT', env);
  return new SageMakerClient({
    retryMode: 'adaptive',
    retryStrategy: new AdaptiveRetryStrategy(async () => SDK_MAX_ATTEMPTS, {
      rateLimiter: new FanOutRateLimiter(),
    }),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
};

/** Adapts a SageMaker client to the narrow interface the runner uses. */
export const sageMakerPort = (client: SageMakerClient): FanOutSageMaker => ({
  startPipelineExecution: (input, options) =>
    client.send(new StartPipelineExecutionCommand(input), options),
  listPipelineExecutions: (input, options) =>
    client.send(new ListPipelineExecutionsCommand(input), options),
});
