/**
 * Test knobs of the local runtime: the account's concurrent-execution quota, a
 * StartPipelineExecution rate limit, and injected faults. Settable by options, CLI flags and
 * environment variables, and adjustable while the runtime runs (`runtime.setKnobs`).
 */
import { LocalError } from './errors';

export interface Knobs {
  /** Executions Executing or Stopping at once, all pipelines; beyond it ResourceLimitExceeded. */
  maxConcurrentExecutions: number;
  /** StartPipelineExecution calls accepted per rolling second; beyond it ThrottlingException. */
  startRateLimit: number;
  /** Share (0..1) of StartPipelineExecution calls answered ThrottlingException at random. */
  throttleRate: number;
  /** Share (0..1) of requests answered HTTP 500 InternalFailure. */
  faultRate: number;
  /** Whether an injected 500 happens before the operation runs or after it (response lost). */
  faultPhase: 'before' | 'after';
  /** Operations faults and latency apply to; empty means all. */
  faultOperations: string[];
  /** Latency added to every response, in ms. */
  latencyMs: number;
  /** Extra latency added to a share of responses, in ms. */
  latencySpikeMs: number;
  /** Share (0..1) of responses that get the latency spike. */
  latencySpikeRate: number;
  /** How long every Lambda step takes at least, in ms: a uniform pick in [min, max] per step. */
  stepLatencyMs: readonly [min: number, max: number];
}

/**
 * Defaults: no quota, no rate limit, no faults, so examples never hit a knob unless asked. (On AWS
 * the default "Maximum number of concurrent pipeline executions allowed per account" is 20, per
 * the SageMaker Developer Guide's feature-store-feature-processor-quotas.html; set
 * maxConcurrentExecutions to reproduce it.)
 */
export const DEFAULT_KNOBS: Knobs = {
  maxConcurrentExecutions: Number.POSITIVE_INFINITY,
  startRateLimit: Number.POSITIVE_INFINITY,
  throttleRate: 0,
  faultRate: 0,
  faultPhase: 'before',
  faultOperations: [],
  latencyMs: 0,
  latencySpikeMs: 0,
  latencySpikeRate: 0,
  stepLatencyMs: [0, 0],
};

/** A knob value that cannot be used. */
export class KnobError extends LocalError {}

interface KnobSpec {
  key: keyof Knobs;
  flag: string;
  env: string;
  help: string;
}

/** The flag and environment variable of each knob. */
export const KNOB_SPECS: KnobSpec[] = [
  {
    key: 'maxConcurrentExecutions',
    flag: '--max-concurrent-executions',
    env: 'LOCAL_SAGEMAKER_MAX_CONCURRENT_EXECUTIONS',
    help: 'executions running at once before ResourceLimitExceeded (default: unlimited)',
  },
  {
    key: 'startRateLimit',
    flag: '--start-rate-limit',
    env: 'LOCAL_SAGEMAKER_START_RATE_LIMIT',
    help: 'StartPipelineExecution calls per second before ThrottlingException (default: unlimited)',
  },
  {
    key: 'throttleRate',
    flag: '--throttle-rate',
    env: 'LOCAL_SAGEMAKER_THROTTLE_RATE',
    help: 'share 0..1 of StartPipelineExecution calls throttled at random (default 0)',
  },
  {
    key: 'faultRate',
    flag: '--fault-rate',
    env: 'LOCAL_SAGEMAKER_FAULT_RATE',
    help: 'share 0..1 of requests answered HTTP 500 (default 0)',
  },
  {
    key: 'faultPhase',
    flag: '--fault-phase',
    env: 'LOCAL_SAGEMAKER_FAULT_PHASE',
    help: "'before' (nothing happens) or 'after' (the operation runs, the response is lost)",
  },
  {
    key: 'faultOperations',
    flag: '--fault-operations',
    env: 'LOCAL_SAGEMAKER_FAULT_OPERATIONS',
    help: 'comma-separated operations faults and latency apply to (default: all)',
  },
  {
    key: 'latencyMs',
    flag: '--latency-ms',
    env: 'LOCAL_SAGEMAKER_LATENCY_MS',
    help: 'latency added to every response (default 0)',
  },
  {
    key: 'latencySpikeMs',
    flag: '--latency-spike-ms',
    env: 'LOCAL_SAGEMAKER_LATENCY_SPIKE_MS',
    help: 'extra latency of a spike (default 0)',
  },
  {
    key: 'latencySpikeRate',
    flag: '--latency-spike-rate',
    env: 'LOCAL_SAGEMAKER_LATENCY_SPIKE_RATE',
    help: 'share 0..1 of responses with a latency spike (default 0)',
  },
  {
    key: 'stepLatencyMs',
    flag: '--step-latency-ms',
    env: 'LOCAL_SAGEMAKER_STEP_LATENCY_MS',
    help: "time every Lambda step takes at least: ms, or a range '50-500' (default 0)",
  },
];

function parseCount(key: string, raw: string): number {
  const trimmed = raw.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'off' || trimmed === 'unlimited') {
    return Number.POSITIVE_INFINITY;
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) {
    throw new KnobError(`${key} must be a number >= 0 or 'off', got '${raw}'`);
  }
  return value;
}

function parseShare(key: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new KnobError(`${key} must be a share between 0 and 1, got '${raw}'`);
  }
  return value;
}

function parseMs(key: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new KnobError(`${key} must be milliseconds >= 0, got '${raw}'`);
  }
  return value;
}

function parseRange(key: string, raw: string): readonly [number, number] {
  const parts = raw.split('-').map((part) => part.trim());
  const numbers = parts.map((part) => (part === '' ? Number.NaN : Number(part)));
  const low = numbers[0] ?? Number.NaN;
  const high = numbers[1] ?? low;
  if (
    parts.length > 2 ||
    !Number.isFinite(low) ||
    !Number.isFinite(high) ||
    low < 0 ||
    high < low
  ) {
    throw new KnobError(`${key} must be milliseconds >= 0 or a range 'min-max', got '${raw}'`);
  }
  return [low, high];
}

/** A step latency knob from JSON: milliseconds, or `[min, max]`. */
function rangeOf(key: string, value: unknown): readonly [number, number] {
  if (typeof value === 'number') return parseRange(key, String(value));
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((part) => typeof part === 'number')
  ) {
    return parseRange(key, value.join('-'));
  }
  throw new KnobError(`${key} must be milliseconds or [min, max], got ${JSON.stringify(value)}`);
}

/** A step's latency under these knobs: a uniform pick in the range. */
export function stepLatency(knobs: Readonly<Knobs>, random: () => number): number {
  const [min, max] = knobs.stepLatencyMs;
  return min + (max - min) * random();
}

/** Parses one knob from its text form (flag or environment value). */
export function parseKnob(key: keyof Knobs, raw: string): Partial<Knobs> {
  if (!KNOB_SPECS.some((spec) => spec.key === key)) {
    throw new KnobError(
      `unknown knob '${key}' (known: ${KNOB_SPECS.map((spec) => spec.key).join(', ')})`,
    );
  }
  switch (key) {
    case 'maxConcurrentExecutions':
    case 'startRateLimit':
      return { [key]: parseCount(key, raw) };
    case 'throttleRate':
    case 'faultRate':
    case 'latencySpikeRate':
      return { [key]: parseShare(key, raw) };
    case 'latencyMs':
    case 'latencySpikeMs':
      return { [key]: parseMs(key, raw) };
    case 'stepLatencyMs':
      return { stepLatencyMs: parseRange(key, raw) };
    case 'faultPhase':
      if (raw !== 'before' && raw !== 'after') {
        throw new KnobError(`faultPhase must be 'before' or 'after', got '${raw}'`);
      }
      return { faultPhase: raw };
    case 'faultOperations':
      return {
        faultOperations: raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
  }
}

/** Knobs set through `LOCAL_SAGEMAKER_*` environment variables. */
export function knobsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Knobs> {
  let knobs: Partial<Knobs> = {};
  for (const spec of KNOB_SPECS) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') knobs = { ...knobs, ...parseKnob(spec.key, raw) };
  }
  return knobs;
}

/** Knobs given as command-line flags (`--fault-rate 0.1`), read through `flag(name)`. */
export function knobsFromFlags(flag: (name: string) => string | undefined): Partial<Knobs> {
  let knobs: Partial<Knobs> = {};
  for (const spec of KNOB_SPECS) {
    const raw = flag(spec.flag.slice(2));
    if (raw !== undefined) knobs = { ...knobs, ...parseKnob(spec.key, raw) };
  }
  return knobs;
}

/** Validates a partial knob object (as passed to `setKnobs`) and returns it, ranges as `[min, max]`. */
export function checkKnobs(knobs: Partial<Knobs>): Partial<Knobs> {
  for (const [key, value] of Object.entries(knobs) as [keyof Knobs, unknown][]) {
    if (key === 'stepLatencyMs') {
      knobs = { ...knobs, stepLatencyMs: rangeOf(key, value) };
      continue;
    }
    if (!KNOB_SPECS.some((spec) => spec.key === key)) {
      throw new KnobError(
        `unknown knob '${key}' (known: ${KNOB_SPECS.map((spec) => spec.key).join(', ')})`,
      );
    }
    if (key === 'faultPhase' || key === 'faultOperations') {
      parseKnob(key, Array.isArray(value) ? value.join(',') : String(value));
    } else if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new KnobError(`${key} must be a number, got ${JSON.stringify(value)}`);
    } else if (value !== Number.POSITIVE_INFINITY) {
      parseKnob(key, String(value));
    }
  }
  return knobs;
}
