import { Logger } from '@aws-lambda-powertools/logger';
import { DEFAULT_SERVICE_NAME, type LoggingConfig } from './config';

export type { Logger };

/**
 * A function's Logger, made once by its `createHandler` from its configuration. Messages are
 * static and the varying parts go in structured keys.
 */
export const createLogger = (config: LoggingConfig): Logger =>
  new Logger({ serviceName: config.serviceName, logLevel: config.logLevel });

/**
 * The Logger of code that is handed none (tests, benchmarks, the problem-details middleware):
 * the default service name, and the level Powertools reads from `POWERTOOLS_LOG_LEVEL`.
 */
export const logger = new Logger({ serviceName: DEFAULT_SERVICE_NAME });
