import { optionalEnv } from '../config';
import { ALLOWED_PIPELINES_ENV, type AllowList, parseAllowList } from './allow-list';
import type { FanOutSageMaker } from './sagemaker';
import { createSageMakerClient, sageMakerPort } from './sagemaker-client';

type Env = Readonly<Record<string, string | undefined>>;

/** What every fan-out handler reads once, at module load. */
export interface FanOutEnvironment {
  allowList: AllowList;
  sagemaker: FanOutSageMaker;
}

/**
 * Reads the allow-list and creates the SageMaker client (once per container).
 * @throws ConfigError when `FAN_OUT_ALLOWED_PIPELINES` holds something other than names or `*`.
 */
export const loadFanOutEnvironment = (env: Env = process.env): FanOutEnvironment => ({
  allowList: parseAllowList(optionalEnv(ALLOWED_PIPELINES_ENV, env)),
  sagemaker: sageMakerPort(createSageMakerClient(env)),
});
