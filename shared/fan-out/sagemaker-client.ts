import {
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
// The SDK's own retry module (a dependency of every v3 client): the strategy that
// `retryMode: 'adaptive'` creates, given the fan-out's rate limiter.
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { AwsConfig } from '../config';
import {
  SDK_BACKOFF_BASE_MS,
  SDK_BACKOFF_MAX_MS,
  SDK_MAX_ATTEMPTS,
  sdkRequestHandler,
} from '../sdk-settings';
import { FanOutRateLimiter } from './rate-limiter';
import type { FanOutCallOptions, FanOutSageMaker } from './sagemaker';

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
 * `aws.endpoint` (optional) points it at the local runtime or an emulator. Each attempt is
 * bounded by {@link sdkRequestHandler}'s timeouts (`requestTimeoutMs` overrides, for tests).
 */
export const createSageMakerClient = (
  { region, endpoint, credentials }: AwsConfig,
  { requestTimeoutMs }: { requestTimeoutMs?: number } = {},
): SageMakerClient =>
  new SageMakerClient({
    region,
    requestHandler: sdkRequestHandler(requestTimeoutMs),
    retryMode: 'adaptive',
    retryStrategy: new AdaptiveRetryStrategy(async () => SDK_MAX_ATTEMPTS, {
      rateLimiter: new FanOutRateLimiter(),
      backoff: jitteredBackoff,
    }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });

/** Name of the middleware that tells a call's `onRetry` of each retry the SDK makes. */
export const RETRY_OBSERVER_NAME = 'fanOutRetryObserver';

/**
 * A middleware for just inside the SDK's retry middleware, where it runs once per attempt:
 * each attempt after the first is a retry, reported with the error of the attempt before.
 * It neither changes nor delays anything.
 */
const retryObserver =
  (onRetry: (error: unknown) => void) =>
  <Args, Result>(next: (args: Args) => Promise<Result>) => {
    let failed: { error: unknown } | undefined;
    return async (args: Args): Promise<Result> => {
      if (failed) onRetry(failed.error);
      try {
        return await next(args);
      } catch (error) {
        failed = { error };
        throw error;
      }
    };
  };

/** Adds the retry observer to one command, so each call counts only its own retries. */
const observeRetries = <
  C extends StartPipelineExecutionCommand | ListPipelineExecutionsCommand | DescribePipelineCommand,
>(
  command: C,
  onRetry: ((error: unknown) => void) | undefined,
): C => {
  if (onRetry === undefined) return command;
  command.middlewareStack.addRelativeTo(retryObserver(onRetry), {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: RETRY_OBSERVER_NAME,
  });
  return command;
};

const sendOptions = (options: FanOutCallOptions | undefined) =>
  options?.abortSignal === undefined ? undefined : { abortSignal: options.abortSignal };

/**
 * Adapts a SageMaker client to the narrow interface the runner uses. A call's `onRetry` is
 * told of each retry the client's retry strategy makes, with the error it retries.
 */
export const sageMakerPort = (client: SageMakerClient): FanOutSageMaker => ({
  startPipelineExecution: (input, options) =>
    client.send(
      observeRetries(new StartPipelineExecutionCommand(input), options?.onRetry),
      sendOptions(options),
    ),
  listPipelineExecutions: (input, options) =>
    client.send(
      observeRetries(new ListPipelineExecutionsCommand(input), options?.onRetry),
      sendOptions(options),
    ),
  describePipeline: (input, options) =>
    client.send(
      observeRetries(new DescribePipelineCommand(input), options?.onRetry),
      sendOptions(options),
    ),
});
