import { Logger } from '@aws-lambda-powertools/logger';
import { DEFAULT_SERVICE_NAME, type LoggingConfig } from './config';

export type { Logger };

/**
 * A function's Logger, made once by its `createHandler` from its configuration. Messages are
 * static and the varying parts go in structured keys.
 */
export const createLogger = (config: LoggingConfig): Logger =>
  new Logger({ serviceName: config.serviceName, logLevel: config.logLevel });

let shared: Logger | undefined;

/**
 * The Logger of code that is handed none (tests, benchmarks, the problem-details middleware):
 * the default service name, and the level Powertools reads from `POWERTOOLS_LOG_LEVEL`. Made
 * at first use: a function that passes its own Logger everywhere never builds this one (each
 * Logger builds its own `Console`, a measurable part of a cold start).
 */
export const defaultLogger = (): Logger =>
  (shared ??= new Logger({ serviceName: DEFAULT_SERVICE_NAME }));

/** {@link defaultLogger}'s instance; a bundle that never reads it leaves it out. */
export const logger = /* @__PURE__ */ defaultLogger();
