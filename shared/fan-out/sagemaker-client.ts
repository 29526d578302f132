import {
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { optionalEnv } from '../config';
import type { FanOutSageMaker } from './sagemaker';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The SageMaker client of a fan-out function, created once per container.
 * `retryMode: 'adaptive'` adds a client-side rate limiter that slows down when
 * SageMaker throttles, on top of retries with backoff for throttling and 5xx
 * (the SDK's retry strategy; see `@smithy/core` retry `service-error-classification`).
 * `SAGEMAKER_ENDPOINT` (optional) points it at the local runtime or an emulator.
 */
export const createSageMakerClient = (env: Env = process.env): SageMakerClient => {
  const endpoint = optionalEnv('SAGEMAKER_ENDPOINT', env);
  return new SageMakerClient({
    retryMode: 'adaptive',
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
