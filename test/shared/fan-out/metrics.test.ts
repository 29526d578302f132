import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { publishStats } from '../../../shared/fan-out/metrics';

describe('fan-out metrics', () => {
  it('publishes started, resumed, deferred, failed and retry counts as one EMF record', () => {
    const sink = new Metrics({ namespace: 'Test', serviceName: 'fan-out-test' });
    const lines: string[] = [];
    vi.spyOn(sink, 'publishStoredMetrics').mockImplementation(() => {
      lines.push(JSON.stringify(sink.serializeMetrics()));
      return sink;
    });
    publishStats(
      { startCalls: 7, resumed: 3, deferred: 2, failed: 1, throttledRetries: 4, retries: 5 },
      sink,
    );
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      ExecutionsStarted: 7,
      ExecutionsResumed: 3,
      ExecutionsDeferred: 2,
      ExecutionsFailed: 1,
      ThrottledRetries: 4,
      Retries: 5,
    });
  });
});
