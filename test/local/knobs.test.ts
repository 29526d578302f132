import { describe, expect, it } from 'vitest';
import {
  checkKnobs,
  DEFAULT_KNOBS,
  KNOB_SPECS,
  KnobError,
  knobsFromEnv,
  knobsFromFlags,
  parseKnob,
  stepLatency,
} from '../../local/knobs';

describe('knobs', () => {
  it('reads every knob from its LOCAL_SAGEMAKER_* environment variable', () => {
    expect(
      knobsFromEnv({
        LOCAL_SAGEMAKER_MAX_CONCURRENT_EXECUTIONS: '40',
        LOCAL_SAGEMAKER_START_RATE_LIMIT: '100',
        LOCAL_SAGEMAKER_THROTTLE_RATE: '0.3',
        LOCAL_SAGEMAKER_FAULT_RATE: '0.1',
        LOCAL_SAGEMAKER_FAULT_PHASE: 'after',
        LOCAL_SAGEMAKER_FAULT_OPERATIONS: 'StartPipelineExecution, ListPipelineExecutions',
        LOCAL_SAGEMAKER_LATENCY_MS: '50',
        LOCAL_SAGEMAKER_LATENCY_SPIKE_MS: '200',
        LOCAL_SAGEMAKER_LATENCY_SPIKE_RATE: '0.05',
      }),
    ).toEqual({
      maxConcurrentExecutions: 40,
      startRateLimit: 100,
      throttleRate: 0.3,
      faultRate: 0.1,
      faultPhase: 'after',
      faultOperations: ['StartPipelineExecution', 'ListPipelineExecutions'],
      latencyMs: 50,
      latencySpikeMs: 200,
      latencySpikeRate: 0.05,
    });
    expect(KNOB_SPECS.map((k) => k.flag)).toContain('--start-rate-limit');
  });

  it('reads knob flags by name', () => {
    const flags: Record<string, string> = { 'max-concurrent-executions': '3', 'latency-ms': '10' };
    expect(knobsFromFlags((name) => flags[name])).toEqual({
      maxConcurrentExecutions: 3,
      latencyMs: 10,
    });
  });

  it("treats 'off' as no limit", () => {
    expect(parseKnob('startRateLimit', 'off')).toEqual({
      startRateLimit: Number.POSITIVE_INFINITY,
    });
  });

  it('rejects values out of range, naming the knob and the value', () => {
    expect(() => parseKnob('faultRate', '1.5')).toThrow(
      new KnobError("faultRate must be a share between 0 and 1, got '1.5'"),
    );
    expect(() => parseKnob('maxConcurrentExecutions', '-1')).toThrow(
      "maxConcurrentExecutions must be a number >= 0 or 'off', got '-1'",
    );
    expect(() => parseKnob('latencyMs', 'slow')).toThrow(
      "latencyMs must be milliseconds >= 0, got 'slow'",
    );
    expect(() => parseKnob('faultPhase', 'during')).toThrow(
      "faultPhase must be 'before' or 'after', got 'during'",
    );
    expect(() => checkKnobs({ throttleRate: Number.NaN })).toThrow(
      'throttleRate must be a number, got null',
    );
    expect(() => checkKnobs({ speed: 1 } as never)).toThrow(
      /^unknown knob 'speed' \(known: maxConcurrentExecutions, /,
    );
    expect(checkKnobs({ maxConcurrentExecutions: Number.POSITIVE_INFINITY })).toEqual({
      maxConcurrentExecutions: Number.POSITIVE_INFINITY,
    });
  });
});

describe('stepLatencyMs', () => {
  it('reads milliseconds or a range, from flags, environment and JSON', () => {
    expect(parseKnob('stepLatencyMs', '200')).toEqual({ stepLatencyMs: [200, 200] });
    expect(parseKnob('stepLatencyMs', '50-500')).toEqual({ stepLatencyMs: [50, 500] });
    expect(knobsFromEnv({ LOCAL_SAGEMAKER_STEP_LATENCY_MS: '10-20' })).toEqual({
      stepLatencyMs: [10, 20],
    });
    expect(checkKnobs({ stepLatencyMs: 30 as unknown as [number, number] })).toEqual({
      stepLatencyMs: [30, 30],
    });
    expect(checkKnobs({ stepLatencyMs: [5, 9] })).toEqual({ stepLatencyMs: [5, 9] });
  });

  it.each(['500-50', '-5', 'soon', '1-2-3', ''])('refuses %j', (raw) => {
    expect(() => parseKnob('stepLatencyMs', raw)).toThrow(KnobError);
  });

  it('picks a latency inside the range', () => {
    const knobs = { ...DEFAULT_KNOBS, stepLatencyMs: [50, 500] as const };
    expect(stepLatency(knobs, () => 0)).toBe(50);
    expect(stepLatency(knobs, () => 0.5)).toBe(275);
    expect(stepLatency(DEFAULT_KNOBS, () => 0.9)).toBe(0);
  });
});
