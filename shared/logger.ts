import { Logger } from '@aws-lambda-powertools/logger';
import { serviceName } from './config';

/**
 * The one Logger of a function. The level comes from `POWERTOOLS_LOG_LEVEL`;
 * messages are static and the varying parts go in structured keys.
 */
export const logger = new Logger({ serviceName: serviceName() });
