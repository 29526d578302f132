import {
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
// The SDK's own retry module (a dependency of every v3 client): the strategy that
// `retryMode: 'adaptive'` creates, given the fan-out's rate limiter.
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { optionalEnv } from '../config';
import { FanOutRateLimiter } from './rate-limiter';
import type { FanOutSageMaker } from './sagemaker';

type Env = Readonly<Record<string, string | undefined>>;

/** Attempts per call inside the SDK (the default); the runner retries on top with the same token. */
export const SDK_MAX_ATTEMPTS = 3;

/**
 * Backoff between the SDK's attempts: full jitter over 100 ms doubling (at most 5 s), for
 * throttling as for 5xx. The SDK's own waits 500 ms doubling after a throttle; here the rate
 * limiter already paces every call when throttling comes from our rate, so a long wait
 * only idles a worker.
 */
export const SDK_BACKOFF_BASE_MS = 100;
export const SDK_BACKOFF_MAX_MS = 5_000;

const jitteredBackoff = {
  computeNextBackoffDelay: (retryCount: number): number =>
    Math.floor(Math.random() * Math.min(SDK_BACKOFF_MAX_MS, SDK_BACKOFF_BASE_MS * 2 ** retryCount)),
  setDelayBase: (): void => undefined,
};

/**
 * The SageMaker client of a fan-out function, created once per container. Adaptive retry
 * mode: a client-side rate limiter ({@link FanOutRateLimiter}) that slows down when
 * SageMaker throttles, on top of
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
      backoff: jitteredBackoff,
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
