import { setMaxListeners } from 'node:events';
import { logger as defaultLogger } from '../logger';
import { type AllowList, assertPipelinesAllowed } from './allow-list';
import { findBatchExecutions } from './batch-executions';
import {
  classifyError,
  errorMessage,
  errorName,
  isClientConfigError,
  isThrottling,
} from './classify';
import { type FanOutPlan, type FanOutRequest, planFanOut } from './request';
import type {
  DeferralReason,
  DeferredExecution,
  FailedExecution,
  FanOutResult,
  PlanEntry,
  StartedExecution,
} from './result';
import type { FanOutSageMaker } from './sagemaker';

/** Tunables of the runner; every default is safe for a Lambda function. */
export interface FanOutLimits {
  /** No new StartPipelineExecution once the remaining time is under this. */
  stopStartingBelowMs: number;
  /**
   * Calls still in flight when the remaining time falls under this are abandoned and
   * their items reported deferred: their outcome is unknown, and re-sending the request
   * retries them with the same ClientRequestToken, which cannot start a second execution.
   */
  abandonInFlightBelowMs: number;
  /** Calls per (pipeline, item) in one invocation, each after the SDK's own retries. */
  maxCallsPerItem: number;
  /** Full-jitter exponential backoff between those calls. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Pages of ListPipelineExecutions (100 each) read per pipeline to find items already started. */
  maxScanPages: number;
  /** The scan of a pipeline stops after this many consecutive pages without the batch. */
  scanPagesWithoutMatch: number;
}

export const DEFAULT_FAN_OUT_LIMITS: FanOutLimits = {
  stopStartingBelowMs: 8_000,
  abandonInFlightBelowMs: 3_000,
  maxCallsPerItem: 4,
  backoffBaseMs: 250,
  backoffMaxMs: 5_000,
  maxScanPages: 100,
  scanPagesWithoutMatch: 2,
};

/** Counters of one invocation, for metrics. */
export interface FanOutStats {
  /** StartPipelineExecution calls that returned an execution ARN. */
  startCalls: number;
  /** Items found already started by an earlier send (no call made). */
  resumed: number;
  deferred: number;
  failed: number;
  /**
   * Retries of StartPipelineExecution after a throttled attempt: the SDK's own (told by the
   * port's `onRetry`, whether the call then succeeds or not) and ours after a call that ended
   * throttled. Each throttled answer that was retried counts once.
   */
  throttledRetries: number;
  /** All retries of StartPipelineExecution, the SDK's and ours, after throttling, 5xx or network errors. */
  retries: number;
}

type Log = Pick<typeof defaultLogger, 'info' | 'warn'>;

/** What the runner needs from its environment. */
export interface FanOutDeps {
  sagemaker: FanOutSageMaker;
  allowList: AllowList;
  /** Milliseconds left before the function times out (`context.getRemainingTimeInMillis`). */
  remainingTimeMs: () => number;
  limits?: Partial<FanOutLimits>;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  logger?: Log;
  onStats?: (stats: FanOutStats) => void;
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

type Outcome =
  | { kind: 'started'; executionArn: string }
  | { kind: 'failed'; error: { name: string; message: string } }
  | { kind: 'deferred'; reason: DeferralReason };

/**
 * Errors that hold for every item of a pipeline (it does not exist, or IAM denies it):
 * after the first, the pipeline's other items fail with it without a call each.
 */
const PIPELINE_WIDE_ERRORS = new Set(['ResourceNotFound', 'AccessDeniedException']);

/** Returned by `raceAbandon` when the deadline passed before the call answered. */
const ABANDONED = Symbol('abandoned');

/**
 * Validates a request (shape already checked by the trigger's schema), checks the
 * allow-list and starts one child execution per (pipeline, item), with bounded
 * concurrency, retries, deferral on the account's quota or the time budget, and
 * resume: items an earlier send started come back with their execution ARNs.
 * @throws InputValidationError when the request is invalid (nothing is started).
 * @throws PipelineNotAllowedError when a pipeline is outside the allow-list.
 */
export const runFanOut = async (
  request: FanOutRequest,
  deps: FanOutDeps,
): Promise<FanOutResult> => {
  assertPipelinesAllowed(deps.allowList, request.pipelines);
  const plan = planFanOut(request);
  if (plan.dryRun) return dryRunResult(plan);
  return execute(plan, deps);
};

/**
 * Bytes of plan a dry run returns at most. Each entry carries every rendered parameter
 * (up to 200 of 1,024 characters), so the full plan of 10,000 items can run to gigabytes;
 * this keeps it well inside a Lambda response (6 MB) and a 256 MB function's memory.
 */
export const MAX_DRY_RUN_PLAN_BYTES = 4_000_000;

const dryRunResult = (plan: FanOutPlan): FanOutResult => {
  const entries: PlanEntry[] = [];
  let bytes = 0;
  let omitted = 0;
  forEachPair(plan, (pipelineIndex, index) => {
    // Past the budget, entries are counted, not rendered.
    if (omitted > 0) {
      omitted++;
      return;
    }
    const { pipeline, displayName, clientRequestToken, parameters } = plan.execution(
      pipelineIndex,
      index,
    );
    const entry = { pipeline, index, displayName, clientRequestToken, parameters };
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (bytes + size > MAX_DRY_RUN_PLAN_BYTES) {
      omitted++;
      return;
    }
    bytes += size;
    entries.push(entry);
  });
  return {
    batchId: plan.batchId,
    batchKey: plan.batchKey,
    requested: plan.requested,
    started: 0,
    deferred: 0,
    failed: [],
    executions: [],
    deferredExecutions: [],
    dryRun: true,
    plan: entries,
    ...(omitted > 0 ? { planOmitted: omitted } : {}),
  };
};

/** Visits (pipeline, item) pairs item by item, so a partial run covers items evenly. */
const forEachPair = (plan: FanOutPlan, visit: (pipelineIndex: number, index: number) => void) => {
  for (let index = 0; index < plan.items.length; index++) {
    for (let p = 0; p < plan.pipelines.length; p++) visit(p, index);
  }
};

const execute = async (plan: FanOutPlan, deps: FanOutDeps): Promise<FanOutResult> => {
  const limits = { ...DEFAULT_FAN_OUT_LIMITS, ...deps.limits };
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? defaultLogger;
  const stats: FanOutStats = {
    startCalls: 0,
    resumed: 0,
    deferred: 0,
    failed: 0,
    throttledRetries: 0,
    retries: 0,
  };
  const timeLeft = () => deps.remainingTimeMs() - limits.stopStartingBelowMs;
  // One retry, the SDK's (through the port's onRetry) or ours, by the error it repeats. A call
  // abandoned at the deadline may still retry until its abort lands; once the stats are
  // reported, those retries change them no more.
  let reported = false;
  const countRetry = (error: unknown) => {
    if (reported) return;
    stats.retries++;
    if (isThrottling(error)) stats.throttledRetries++;
  };

  // Past this point, in-flight calls are abandoned: one timer for the whole run.
  const abandon = new AbortController();
  // Every call of the run listens to this one signal: not a leak.
  setMaxListeners(0, abandon.signal);
  let onAbandon: () => void = () => undefined;
  const abandoned = new Promise<typeof ABANDONED>((resolve) => {
    onAbandon = () => resolve(ABANDONED);
  });
  const fire = () => {
    abandon.abort();
    onAbandon();
  };
  const untilAbandon = deps.remainingTimeMs() - limits.abandonInFlightBelowMs;
  const timer = untilAbandon > 0 ? setTimeout(fire, untilAbandon) : undefined;
  if (timer === undefined) fire();
  timer?.unref?.();
  const raceAbandon = <T>(promise: Promise<T>): Promise<T | typeof ABANDONED> => {
    // An abandoned call may still settle later; its rejection must not go unhandled.
    promise.catch(() => undefined);
    return Promise.race([promise, abandoned]);
  };

  const outcomes = new Map<string, Outcome>();
  const key = (pipelineIndex: number, index: number) => `${pipelineIndex}:${index}`;

  try {
    // 1. Items an earlier send already started: found by display name, no call needed.
    if (timeLeft() > 0) {
      await Promise.all(
        plan.pipelines.map(async (pipeline, pipelineIndex) => {
          try {
            const scan = findBatchExecutions(deps.sagemaker, pipeline, plan.batchId, {
              maxPages: limits.maxScanPages,
              stopAfter: plan.items.length,
              stopAfterPagesWithoutMatch: limits.scanPagesWithoutMatch,
              mayContinue: () => timeLeft() > 0 && !abandon.signal.aborted,
              abortSignal: abandon.signal,
            });
            const found = await raceAbandon(scan);
            if (found === ABANDONED) return;
            for (const [index, execution] of found.executions) {
              if (index >= plan.items.length) continue;
              outcomes.set(key(pipelineIndex, index), {
                kind: 'started',
                executionArn: execution.executionArn,
              });
              stats.resumed++;
            }
          } catch (error) {
            // Only an optimisation: the ClientRequestToken still prevents duplicates.
            log.warn('Could not list existing executions before starting', {
              pipeline,
              errorName: errorName(error),
            });
          }
        }),
      );
    }

    // 2. Start the rest with bounded concurrency.
    const tasks: Array<[number, number]> = [];
    forEachPair(plan, (p, index) => {
      if (!outcomes.has(key(p, index))) tasks.push([p, index]);
    });
    let stopReason: DeferralReason | undefined;
    const failedPipelines = new Map<number, { name: string; message: string }>();

    const startOne = async (pipelineIndex: number, index: number): Promise<Outcome> => {
      const pipelineError = failedPipelines.get(pipelineIndex);
      if (pipelineError) return { kind: 'failed', error: pipelineError };
      const planned = plan.execution(pipelineIndex, index);
      const input = {
        PipelineName: planned.pipeline,
        PipelineExecutionDisplayName: planned.displayName,
        PipelineExecutionDescription: planned.description,
        ClientRequestToken: planned.clientRequestToken,
        PipelineParameters: planned.parameters,
        ...(plan.maxParallelExecutionSteps === undefined
          ? {}
          : {
              ParallelismConfiguration: {
                MaxParallelExecutionSteps: plan.maxParallelExecutionSteps,
              },
            }),
      };
      // The error of our previous call, once we retry it.
      let retrying: { error: unknown } | undefined;
      for (let call = 1; ; call++) {
        if (stopReason) return { kind: 'deferred', reason: stopReason };
        if (abandon.signal.aborted) return { kind: 'deferred', reason: 'time-budget' };
        // Our retry repeats the call's last attempt, which the SDK did not retry: counted
        // here, once it is sent; the SDK's retries inside the call count through onRetry.
        if (retrying) countRetry(retrying.error);
        let error: unknown;
        try {
          const response = await raceAbandon(
            deps.sagemaker.startPipelineExecution(input, {
              abortSignal: abandon.signal,
              onRetry: countRetry,
            }),
          );
          if (response === ABANDONED) return { kind: 'deferred', reason: 'time-budget' };
          if (response.PipelineExecutionArn) {
            stats.startCalls++;
            return { kind: 'started', executionArn: response.PipelineExecutionArn };
          }
          error = Object.assign(
            new Error('StartPipelineExecution returned no PipelineExecutionArn'),
            {
              name: 'MissingExecutionArn',
            },
          );
        } catch (caught) {
          error = caught;
        }
        if (abandon.signal.aborted) return { kind: 'deferred', reason: 'time-budget' };
        const kind = classifyError(error);
        const detail = { name: errorName(error), message: errorMessage(error) };
        if (kind === 'resource-limit') {
          stopReason ??= 'resource-limit';
          log.warn('SageMaker resource limit reached, deferring the remaining items', detail);
          return { kind: 'deferred', reason: 'resource-limit' };
        }
        if (kind === 'permanent') {
          if (PIPELINE_WIDE_ERRORS.has(detail.name) || isClientConfigError(error)) {
            failedPipelines.set(pipelineIndex, detail);
          }
          return { kind: 'failed', error: detail };
        }
        // Transient or conflict: back off and call again with the same token.
        if (call >= limits.maxCallsPerItem) {
          return kind === 'conflict'
            ? { kind: 'failed', error: detail }
            : { kind: 'deferred', reason: 'retries-exhausted' };
        }
        const delay = Math.floor(
          random() * Math.min(limits.backoffMaxMs, limits.backoffBaseMs * 2 ** (call - 1)),
        );
        if (timeLeft() - delay <= 0) return { kind: 'deferred', reason: 'time-budget' };
        retrying = { error };
        await sleep(delay);
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        if (stopReason || abandon.signal.aborted) return;
        if (timeLeft() <= 0) {
          stopReason = 'time-budget';
          return;
        }
        const task = tasks[next++] as [number, number];
        outcomes.set(key(task[0], task[1]), await startOne(task[0], task[1]));
      }
    };
    const workers = Math.min(plan.maxConcurrency, tasks.length);
    await Promise.all(Array.from({ length: workers }, worker));
    const leftover: DeferralReason = stopReason ?? 'time-budget';
    for (let i = next; i < tasks.length; i++) {
      const [p, index] = tasks[i] as [number, number];
      outcomes.set(key(p, index), { kind: 'deferred', reason: leftover });
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }

  // 3. The result, in item order.
  const executions: StartedExecution[] = [];
  const failed: FailedExecution[] = [];
  const deferredExecutions: DeferredExecution[] = [];
  forEachPair(plan, (p, index) => {
    const outcome = outcomes.get(key(p, index)) ?? { kind: 'deferred', reason: 'time-budget' };
    const pipeline = plan.pipelines[p] as string;
    if (outcome.kind === 'started') {
      executions.push({
        pipeline,
        index,
        executionArn: outcome.executionArn,
        displayName: plan.displayName(index),
      });
    } else if (outcome.kind === 'failed') failed.push({ pipeline, index, error: outcome.error });
    else deferredExecutions.push({ pipeline, index, reason: outcome.reason });
  });
  stats.deferred = deferredExecutions.length;
  stats.failed = failed.length;
  reported = true;
  deps.onStats?.(stats);
  log.info('Fan-out finished', {
    batchId: plan.batchId,
    requested: plan.requested,
    started: executions.length,
    ...stats,
  });
  return {
    batchId: plan.batchId,
    batchKey: plan.batchKey,
    requested: plan.requested,
    started: executions.length,
    deferred: deferredExecutions.length,
    failed,
    executions,
    deferredExecutions,
    dryRun: false,
  };
};
