import { InputValidationError } from '../errors';
import { logger as defaultLogger } from '../logger';
import { type AllowList, assertPipelinesAllowed, type Home } from './allow-list';
import { findBatchExecutions } from './batch-executions';
import {
  accessDeniedDetail,
  classifyError,
  errorMessage,
  errorName,
  isAccessDenied,
  isClientConfigError,
  isThrottling,
} from './classify';
import { ABANDONED, type Deadline, startDeadline } from './deadline';
import { undeclaredParameters } from './declared-parameters';
import { descriptionOf } from './description';
import { dryRunResult } from './dry-run';
import { BatchKeyReusedError } from './errors';
import { type FingerprintPart, fingerprintDifferences } from './fingerprint';
import { type FanOutPlan, type FanOutRequest, forEachPair, planFanOut } from './request';
import type {
  DeferralReason,
  DeferredExecution,
  FailedExecution,
  FanOutResult,
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
  /** Who sent the request (an IAM ARN, a pipeline execution, a schedule), for each child's description. */
  caller?: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** The function's own partition, region and account: pipeline ARNs must be of them. */
  home?: Home;
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

/**
 * Validates a request (shape already checked by the trigger's schema), checks the
 * allow-list and starts one child execution per (pipeline, item), with bounded
 * concurrency, retries, deferral on the account's quota or the time budget, and
 * resume: items an earlier send started come back with their execution ARNs.
 * Phases: plan, scan what is already started, start the rest, assemble the result.
 * @throws InputValidationError when the request is invalid (nothing is started).
 * @throws PipelineNotAllowedError when a pipeline is outside the allow-list.
 * @throws BatchKeyReusedError when the batch key already started a different request.
 */
export const runFanOut = async (
  request: FanOutRequest,
  deps: FanOutDeps,
): Promise<FanOutResult> => {
  assertPipelinesAllowed(deps.allowList, request.pipelines, deps.home);
  const limits = { ...DEFAULT_FAN_OUT_LIMITS, ...deps.limits };
  // Invoked with no time to start anything, the plan (bounded by budget.ts) is still made
  // and every item deferred; otherwise planning must leave time to start.
  const timeToStart = () => deps.remainingTimeMs() > limits.stopStartingBelowMs;
  const plan = planFanOut(request, timeToStart() ? { mayContinue: timeToStart } : {});
  if (plan.dryRun) return dryRunResult(plan);
  const run = openRun(plan, deps);
  try {
    await checkParameters(run);
    await scanStarted(run);
    await startRemaining(run);
  } finally {
    run.deadline.clear();
  }
  return assembleResult(run);
};

/** One invocation's state, shared by its phases. */
interface Run {
  plan: FanOutPlan;
  deps: FanOutDeps;
  limits: FanOutLimits;
  log: Log;
  stats: FanOutStats;
  /** Once set, retries still landing from abandoned calls no longer change the stats. */
  reported: boolean;
  deadline: Deadline;
  /** What happened to each (pipeline, item), by {@link pairKey}. */
  outcomes: Map<string, Outcome>;
  /** When the batch was first started: the earliest time found in its executions, else now. */
  createdAt: Date;
  /** Why nothing may start: the scan could not tell what the batch key already started. */
  scanFailed: boolean;
  /** Milliseconds left for starting calls. */
  timeLeft: () => number;
  /** Counts one retry, the SDK's (through the port's onRetry) or ours, by the error it repeats. */
  countRetry: (error: unknown) => void;
}

const pairKey = (pipelineIndex: number, index: number) => `${pipelineIndex}:${index}`;

const openRun = (plan: FanOutPlan, deps: FanOutDeps): Run => {
  const limits = { ...DEFAULT_FAN_OUT_LIMITS, ...deps.limits };
  const run: Run = {
    plan,
    deps,
    limits,
    log: deps.logger ?? defaultLogger,
    stats: { startCalls: 0, resumed: 0, deferred: 0, failed: 0, throttledRetries: 0, retries: 0 },
    reported: false,
    deadline: startDeadline(deps.remainingTimeMs() - limits.abandonInFlightBelowMs),
    outcomes: new Map(),
    createdAt: (deps.now ?? (() => new Date()))(),
    scanFailed: false,
    timeLeft: () => deps.remainingTimeMs() - limits.stopStartingBelowMs,
    countRetry: (error) => {
      // A call abandoned at the deadline may still retry until its abort lands.
      if (run.reported) return;
      run.stats.retries++;
      if (isThrottling(error)) run.stats.throttledRetries++;
    },
  };
  return run;
};

/**
 * Parameters: every requested parameter must be declared by every child pipeline, read
 * once per pipeline from its definition before anything starts.
 * @throws InputValidationError naming each undeclared parameter and its pipeline.
 */
const checkParameters = async (run: Run): Promise<void> => {
  const { plan, deps, deadline } = run;
  if (run.timeLeft() <= 0) return;
  const problems = await deadline.race(
    undeclaredParameters(plan.pipelines, plan.parameterNames, {
      sagemaker: deps.sagemaker,
      abortSignal: deadline.signal,
      log: run.log,
    }),
  );
  if (problems === ABANDONED || problems.length === 0) return;
  throw new InputValidationError(problems, { subject: 'fan-out request' });
};

/**
 * Scan: items an earlier send already started, found by display name with no call to
 * start them. Each one's description carries the fingerprint of the request that started
 * it: a different one means the batch key is being reused for another request, refused
 * before anything starts. A listing that fails for a reason that may pass (throttling,
 * 5xx) leaves the batch unverified, so nothing starts in this invocation.
 */
const scanStarted = async (run: Run): Promise<void> => {
  const { plan, deps, limits, deadline } = run;
  if (run.timeLeft() <= 0) return;
  const differences = new Set<FingerprintPart>();
  await Promise.all(
    plan.pipelines.map(async (pipeline, pipelineIndex) => {
      try {
        const scan = findBatchExecutions(deps.sagemaker, pipeline, plan.batchId, {
          maxPages: limits.maxScanPages,
          stopAfter: plan.items.length,
          stopAfterPagesWithoutMatch: limits.scanPagesWithoutMatch,
          mayContinue: () => run.timeLeft() > 0 && !deadline.signal.aborted,
          abortSignal: deadline.signal,
        });
        const found = await deadline.race(scan);
        if (found === ABANDONED) return;
        for (const [index, execution] of found.executions) {
          const { fingerprint, createdAt } = execution.description;
          if (fingerprint) {
            for (const part of fingerprintDifferences(plan.fingerprint, fingerprint)) {
              differences.add(part);
            }
          }
          if (createdAt && createdAt < run.createdAt) run.createdAt = createdAt;
          if (index >= plan.items.length) continue;
          run.outcomes.set(pairKey(pipelineIndex, index), {
            kind: 'started',
            executionArn: execution.executionArn,
          });
          run.stats.resumed++;
        }
      } catch (error) {
        // A pipeline that does not exist or may not be listed: starting it fails alike.
        if (classifyError(error) !== 'permanent') run.scanFailed = true;
        run.log.warn('Could not list existing executions before starting', {
          pipeline,
          errorName: errorName(error),
        });
      }
    }),
  );
  if (differences.size > 0) {
    throw new BatchKeyReusedError(plan.batchId, [...differences]);
  }
};

/** What the start phase's workers share: why starting stopped, and pipelines that fail whole. */
interface StartState {
  stopReason: DeferralReason | undefined;
  failedPipelines: Map<number, { name: string; message: string }>;
}

/** Start: every pair not found started, with bounded concurrency; the rest deferred. */
const startRemaining = async (run: Run): Promise<void> => {
  const { plan, deadline } = run;
  const tasks: Array<[number, number]> = [];
  forEachPair(plan, (p, index) => {
    if (!run.outcomes.has(pairKey(p, index))) tasks.push([p, index]);
  });
  const state: StartState = {
    stopReason: run.scanFailed ? 'retries-exhausted' : undefined,
    failedPipelines: new Map(),
  };
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      if (state.stopReason || deadline.signal.aborted) return;
      if (run.timeLeft() <= 0) {
        state.stopReason = 'time-budget';
        return;
      }
      const [p, index] = tasks[next++] as [number, number];
      run.outcomes.set(pairKey(p, index), await startOne(run, state, p, index));
    }
  };
  const workers = Math.min(plan.maxConcurrency, tasks.length);
  await Promise.all(Array.from({ length: workers }, worker));
  const leftover: DeferralReason = state.stopReason ?? 'time-budget';
  for (let i = next; i < tasks.length; i++) {
    const [p, index] = tasks[i] as [number, number];
    run.outcomes.set(pairKey(p, index), { kind: 'deferred', reason: leftover });
  }
};

/** StartPipelineExecution for one (pipeline, item), retried with backoff and the same token. */
const startOne = async (
  run: Run,
  state: StartState,
  pipelineIndex: number,
  index: number,
): Promise<Outcome> => {
  const { deps, limits, deadline, stats } = run;
  const pipelineError = state.failedPipelines.get(pipelineIndex);
  if (pipelineError) return { kind: 'failed', error: pipelineError };
  const input = startInput(run, pipelineIndex, index);
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  // The error of our previous call, once we retry it.
  let retrying: { error: unknown } | undefined;
  for (let call = 1; ; call++) {
    if (state.stopReason) return { kind: 'deferred', reason: state.stopReason };
    if (deadline.signal.aborted) return { kind: 'deferred', reason: 'time-budget' };
    // Our retry repeats the call's last attempt, which the SDK did not retry: counted
    // here, once it is sent; the SDK's retries inside the call count through onRetry.
    if (retrying) run.countRetry(retrying.error);
    let error: unknown;
    try {
      const response = await deadline.race(
        deps.sagemaker.startPipelineExecution(input, {
          abortSignal: deadline.signal,
          onRetry: run.countRetry,
        }),
      );
      if (response === ABANDONED) return { kind: 'deferred', reason: 'time-budget' };
      if (response.PipelineExecutionArn) {
        stats.startCalls++;
        return { kind: 'started', executionArn: response.PipelineExecutionArn };
      }
      error = Object.assign(new Error('StartPipelineExecution returned no PipelineExecutionArn'), {
        name: 'MissingExecutionArn',
      });
    } catch (caught) {
      error = caught;
    }
    if (deadline.signal.aborted) return { kind: 'deferred', reason: 'time-budget' };
    const kind = classifyError(error);
    if (isAccessDenied(error)) {
      // SageMaker's message names the role, account and function: logs only.
      run.log.warn('SageMaker denied StartPipelineExecution', {
        pipeline: input.PipelineName,
        errorName: errorName(error),
        errorMessage: errorMessage(error),
      });
      const denied = accessDeniedDetail('start', input.PipelineName);
      state.failedPipelines.set(pipelineIndex, denied);
      return { kind: 'failed', error: denied };
    }
    const detail = { name: errorName(error), message: errorMessage(error) };
    if (kind === 'resource-limit') {
      state.stopReason ??= 'resource-limit';
      run.log.warn('SageMaker resource limit reached, deferring the remaining items', detail);
      return { kind: 'deferred', reason: 'resource-limit' };
    }
    if (kind === 'permanent') {
      if (PIPELINE_WIDE_ERRORS.has(detail.name) || isClientConfigError(error)) {
        state.failedPipelines.set(pipelineIndex, detail);
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
    if (run.timeLeft() - delay <= 0) return { kind: 'deferred', reason: 'time-budget' };
    retrying = { error };
    await sleep(delay);
  }
};

/** The StartPipelineExecution request of one (pipeline, item). */
const startInput = (run: Run, pipelineIndex: number, index: number) => {
  const { plan } = run;
  const planned = plan.execution(pipelineIndex, index);
  return {
    PipelineName: planned.pipeline,
    PipelineExecutionDisplayName: planned.displayName,
    PipelineExecutionDescription: descriptionOf({
      batchId: plan.batchId,
      index,
      pipeline: planned.pipeline,
      createdAt: run.createdAt.toISOString(),
      fingerprint: plan.fingerprint,
      ...(run.deps.caller === undefined ? {} : { caller: run.deps.caller }),
    }),
    ClientRequestToken: planned.clientRequestToken,
    PipelineParameters: planned.parameters,
    ...(plan.maxParallelExecutionSteps === undefined
      ? {}
      : {
          ParallelismConfiguration: { MaxParallelExecutionSteps: plan.maxParallelExecutionSteps },
        }),
  };
};

/** Assemble: the result in item order; reports the stats. */
const assembleResult = (run: Run): FanOutResult => {
  const { plan, stats } = run;
  const executions: StartedExecution[] = [];
  const failed: FailedExecution[] = [];
  const deferredExecutions: DeferredExecution[] = [];
  forEachPair(plan, (p, index) => {
    const outcome = run.outcomes.get(pairKey(p, index)) ?? {
      kind: 'deferred',
      reason: 'time-budget',
    };
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
  run.reported = true;
  run.deps.onStats?.(stats);
  run.log.info('Fan-out finished', {
    batchId: plan.batchId,
    ...(run.deps.caller === undefined ? {} : { caller: run.deps.caller }),
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
    createdAt: run.createdAt.toISOString(),
  };
};
