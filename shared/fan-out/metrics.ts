import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { optionalEnv, serviceName } from '../config';
import type { FanOutStats } from './runner';

/** Namespace of the fan-out's CloudWatch metrics unless `POWERTOOLS_METRICS_NAMESPACE` sets one. */
export const DEFAULT_METRICS_NAMESPACE = 'SageMakerPipelineLambdas';

let instance: Metrics | undefined;

/** The function's one Metrics instance (EMF lines in its log), created on first use to keep init short. */
export const metrics = (): Metrics => {
  instance ??= new Metrics({
    namespace: optionalEnv('POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: serviceName(),
  });
  return instance;
};

/** Publishes one invocation's counters as EMF metrics. */
export const publishStats = (stats: FanOutStats, sink: Metrics = metrics()): void => {
  sink.addMetric('ExecutionsStarted', MetricUnit.Count, stats.startCalls);
  sink.addMetric('ExecutionsResumed', MetricUnit.Count, stats.resumed);
  sink.addMetric('ExecutionsDeferred', MetricUnit.Count, stats.deferred);
  sink.addMetric('ExecutionsFailed', MetricUnit.Count, stats.failed);
  sink.addMetric('ThrottledRetries', MetricUnit.Count, stats.throttledRetries);
  sink.addMetric('Retries', MetricUnit.Count, stats.retries);
  sink.publishStoredMetrics();
};
