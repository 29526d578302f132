import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsConfig } from '../config';
import type { FanOutStats } from './runner';

/** Publishes one invocation's counters as EMF metrics. */
export function publishStats(stats: FanOutStats, sink: Metrics): void {
  sink.addMetric('ExecutionsStarted', MetricUnit.Count, stats.startCalls);
  sink.addMetric('ExecutionsResumed', MetricUnit.Count, stats.resumed);
  sink.addMetric('ExecutionsDeferred', MetricUnit.Count, stats.deferred);
  sink.addMetric('ExecutionsFailed', MetricUnit.Count, stats.failed);
  sink.addMetric('ThrottledRetries', MetricUnit.Count, stats.throttledRetries);
  sink.addMetric('Retries', MetricUnit.Count, stats.retries);
  sink.publishStoredMetrics();
}

/**
 * A handler's stats publisher. Its Metrics instance (EMF lines in the function's log) is
 * created on first use, to keep init short.
 */
export function statsPublisher(
  config: MetricsConfig,
  serviceName: string,
): (stats: FanOutStats) => void {
  let sink: Metrics | undefined;
  return (stats) => {
    sink ??= new Metrics({ namespace: config.namespace, serviceName });
    publishStats(stats, sink);
  };
}
