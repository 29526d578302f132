/**
 * How long one attempt of an AWS SDK call may wait to connect, and for the answer's headers.
 * The SDK for JavaScript has no connection timeout by default and waits up to 120 s on a
 * socket, longer than most of our functions run; AWS's advice is to fail fast and let the SDK
 * retry (AWS Knowledge Center, "lambda-function-retry-timeout-sdk"). A hung call then costs
 * one attempt, not the function: the reconciler in particular is never held by one call.
 * SageMaker and DynamoDB answer in well under a second; 10 s per attempt is our choice.
 * `throwOnRequestTimeout`: since @smithy/node-http-handler 4.4 a `requestTimeout` only warns
 * without it.
 */
export const SDK_CONNECTION_TIMEOUT_MS = 3_000;
export const SDK_REQUEST_TIMEOUT_MS = 10_000;
/** S3 parts of up to 5 MB are written before S3 answers: their attempt gets longer. */
export const S3_REQUEST_TIMEOUT_MS = 30_000;

/** The `requestHandler` options of every AWS SDK client the functions create. */
export function sdkRequestHandler(requestTimeoutMs: number = SDK_REQUEST_TIMEOUT_MS) {
  return {
    connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
    requestTimeout: requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
}

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
