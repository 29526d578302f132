import type { FanOutConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import type { AllowList } from './allow-list';
import { statsPublisher } from './metrics';
import type { FanOutStats } from './runner';
import type { FanOutSageMaker } from './sagemaker';
import { createSageMakerClient, sageMakerPort } from './sagemaker-client';

/** What a fan-out handler creates once, in its `createHandler`, from its configuration. */
export interface FanOutDependencies {
  allowList: AllowList;
  sagemaker: FanOutSageMaker;
  logger: Logger;
  /** Publishes an invocation's counters as EMF metrics; absent when metrics are disabled. */
  onStats?: (stats: FanOutStats) => void;
}

/** Creates the SageMaker client, the Logger and the metrics publisher of one fan-out handler. */
export const createFanOutDependencies = (config: FanOutConfig): FanOutDependencies => ({
  allowList: config.allowedPipelines,
  sagemaker: sageMakerPort(createSageMakerClient(config.aws)),
  logger: createLogger(config.logging),
  ...(config.metrics.disabled
    ? {}
    : { onStats: statsPublisher(config.metrics, config.logging.serviceName) }),
});
