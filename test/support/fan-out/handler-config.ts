import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { configFromEnvironment, type FunctionConfig } from '../../../shared/config';

/** The child pipelines the fan-out handler tests allow (FAN_OUT_ALLOWED_PIPELINES) and their fakes hold. */
export const ALLOWED_PIPELINES = ['child-pipeline-1', 'child-pipeline-2'] as const;

/** The configuration every fan-out handler test builds its handler from: the allow-list, no metrics, no logs. */
export const fanOutTestConfig = (): FunctionConfig =>
  configFromEnvironment({
    FAN_OUT_ALLOWED_PIPELINES: ALLOWED_PIPELINES.join(','),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });

/** What the HTTP API handler answers, with the status and body it always sets. */
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
