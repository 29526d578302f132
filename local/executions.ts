/**
 * Pipeline executions: their records, the concurrency quota and start rate limit, and the
 * StartPipelineExecution ... DescribePipelineDefinitionForExecution operations.
 */

import type { LocalAccount } from './account';
import {
  type CallbackWaiter,
  type ExecutionStatus,
  runExecution,
  type StepRecord,
} from './engine/interpreter';
import { renderValue } from './engine/values';
import {
  ConflictError,
  LimitExceededError,
  NotFoundError,
  ThrottlingError,
  ValidationError,
} from './errors';
import { executionStatusEvent, type PipelineEvent, stepStatusEvent } from './events';
import {
  type ExecutionRecord,
  executionSummary,
  experimentConfigOf,
  identityOf,
  resolveParameters,
  stepView,
} from './execution-records';
import type { LambdaInvoker } from './invokers/types';
import { type Knobs, stepLatency } from './knobs';
import { createdWithin, type Input, listPage, type Output } from './paging';
import { type PipelineRecord, pipelineVersion } from './pipelines';

/**
 * The FailureReason SageMaker gives an execution whose steps failed; the detail stays on the steps
 * (public describe-pipeline-execution transcripts; sagemaker-python-sdk
 * tests/integ/sagemaker/workflow/test_fail_steps.py checks it in ListPipelineExecutions).
 */
export const STEP_FAILURE_REASON = 'Step failure: One or multiple steps failed.';

export interface ExecutionContext {
  account: LocalAccount;
  invoker: LambdaInvoker;
  lambdaTimeoutMs: number;
  clock: () => Date;
  random: () => number;
  executionId: () => string;
  callbackToken: () => string;
  knobs: () => Readonly<Knobs>;
  emit: (event: PipelineEvent) => void;
  findPipeline: (nameOrArn: unknown) => PipelineRecord;
  nextSeq: () => number;
  /** Where waiting Callback steps go (see local/callbacks.ts). */
  callbacks: {
    waiting(waiter: CallbackWaiter, executionArn: string): void;
    stopping(waiter: CallbackWaiter): void;
    done(token: string): void;
  };
}

type ExecutionOperation =
  | 'StartPipelineExecution'
  | 'RetryPipelineExecution'
  | 'StopPipelineExecution'
  | 'DescribePipelineExecution'
  | 'ListPipelineExecutions'
  | 'ListPipelineExecutionSteps'
  | 'ListPipelineParametersForExecution'
  | 'DescribePipelineDefinitionForExecution';

export interface Executions {
  operations: Record<ExecutionOperation, (input: Input) => Output>;
  /** Executions of the pipeline that are Executing or Stopping. */
  runningFor(pipeline: PipelineRecord): number;
  /** Drops the executions of a deleted pipeline and the start tokens of its name. */
  forget(pipeline: PipelineRecord): void;
  /** Resolves when the execution ends (Succeeded, Failed or Stopped). */
  waitFor(executionArn: string): Promise<ExecutionStatus>;
  /** ARNs of every execution, all pipelines, oldest first. */
  arns(): string[];
  /** Executions Executing or Stopping, all pipelines. */
  running(): number;
  /** When each execution started and, once it ended, when it ended: oldest first. */
  timeline(): ExecutionSpan[];
  /** Stops every execution (shutdown). */
  stopAll(): void;
}

/** One execution's life, from the runtime's own record. */
export interface ExecutionSpan {
  executionArn: string;
  pipelineName: string;
  displayName: string;
  description: string | undefined;
  status: ExecutionStatus;
  startTime: Date;
  /** When it became Succeeded, Failed or Stopped. */
  endTime: Date | undefined;
}

const TERMINAL: readonly ExecutionStatus[] = ['Succeeded', 'Failed', 'Stopped'];

export function createExecutions(context: ExecutionContext): Executions {
  const { clock } = context;
  const executions = new Map<string, ExecutionRecord>();
  const startTokens = new Map<string, string>();
  const finishers = new Map<string, Promise<ExecutionStatus>>();
  const recentStarts: number[] = [];
  let running = 0;
  // Every Lambda step takes at least the `stepLatencyMs` knob, so a batch can be watched.
  const stepInvoker: LambdaInvoker = {
    get description() {
      return context.invoker.description;
    },
    async invoke(request) {
      const delay = stepLatency(context.knobs(), context.random);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return context.invoker.invoke(request);
    },
  };

  const findExecution = (arn: unknown): ExecutionRecord => {
    if (typeof arn !== 'string' || arn === '') {
      throw new ValidationError('PipelineExecutionArn is required');
    }
    const record = executions.get(arn);
    if (!record) throw new NotFoundError(`Pipeline execution '${arn}' does not exist.`);
    return record;
  };

  const setExecutionStatus = (
    execution: ExecutionRecord,
    status: ExecutionStatus,
    reason?: string,
  ) => {
    const previous = execution.status;
    const terminal = status === 'Succeeded' || status === 'Failed' || status === 'Stopped';
    if (terminal && (previous === 'Executing' || previous === 'Stopping')) running -= 1;
    execution.status = status;
    execution.lastModifiedTime = clock();
    if (reason !== undefined) execution.failureReason = reason;
    context.emit(
      executionStatusEvent(
        {
          account: context.account.accountId,
          region: context.account.region,
          now: execution.lastModifiedTime,
        },
        {
          pipelineArn: execution.pipeline.arn,
          executionArn: execution.arn,
          displayName: execution.displayName,
          ...(execution.description !== undefined ? { description: execution.description } : {}),
          startTime: execution.creationTime,
          ...(terminal ? { endTime: execution.lastModifiedTime } : {}),
          current: status,
          ...(previous !== status ? { previous } : {}),
        },
      ),
    );
  };

  const checkRate = () => {
    const knobs = context.knobs();
    if (context.random() < knobs.throttleRate) throw new ThrottlingError('Rate exceeded');
    if (!Number.isFinite(knobs.startRateLimit)) return;
    // The rolling window follows the injected clock, so tests can hold time still.
    const now = clock().getTime();
    while (recentStarts.length > 0 && (recentStarts[0] as number) <= now - 1000)
      recentStarts.shift();
    if (recentStarts.length >= knobs.startRateLimit) {
      throw new ThrottlingError('Rate exceeded');
    }
    recentStarts.push(now);
  };

  const checkCapacity = () => {
    const { maxConcurrentExecutions } = context.knobs();
    if (running >= maxConcurrentExecutions) {
      throw new LimitExceededError(
        `The account-level service limit 'Maximum number of concurrent pipeline executions' is ${maxConcurrentExecutions} executions, with current utilization of ${running} executions and a request delta of 1 executions.`,
      );
    }
  };

  const startTokenKey = (pipeline: PipelineRecord, token: string) =>
    `${pipeline.name.toLowerCase()}\n${token}`;

  /** Runs (or, with the steps of a failed attempt, re-runs) an execution. */
  const launch = (execution: ExecutionRecord, previousSteps?: readonly StepRecord[]) => {
    const { arn, parallelism } = execution;
    running += 1;
    setExecutionStatus(execution, 'Executing');
    const eventIds = { pipelineArn: execution.pipeline.arn, executionArn: arn };
    execution.run = runExecution({
      compiled: execution.compiled,
      parameters: execution.parameterValues,
      identity: identityOf(execution),
      ...(previousSteps ? { previousSteps } : {}),
      ...(parallelism ? { maxParallelSteps: parallelism.MaxParallelExecutionSteps } : {}),
      invoker: stepInvoker,
      lambdaTimeoutMs: context.lambdaTimeoutMs,
      clock,
      newCallbackToken: context.callbackToken,
      hooks: {
        onStepChange: (step: StepRecord, previous) => {
          execution.lastModifiedTime = clock();
          context.emit(
            stepStatusEvent(
              { account: context.account.accountId, region: context.account.region, now: clock() },
              eventIds,
              step,
              previous,
            ),
          );
        },
        onCallbackWaiting: (waiter) => context.callbacks.waiting(waiter, arn),
        onCallbackStopping: (waiter) => context.callbacks.stopping(waiter),
        onCallbackDone: (token) => context.callbacks.done(token),
      },
    });
    finishers.set(
      arn,
      execution.run.done.then((outcome) => {
        setExecutionStatus(
          execution,
          outcome.status,
          outcome.status === 'Failed' ? STEP_FAILURE_REASON : undefined,
        );
        return outcome.status;
      }),
    );
  };

  const startExecution = (input: Input): Output => {
    checkRate();
    const pipeline = context.findPipeline(input.PipelineName);
    const tokenKey = startTokenKey(pipeline, String(input.ClientRequestToken));
    const existing = startTokens.get(tokenKey);
    // A retried request (same token, same pipeline) gets the same execution and starts nothing.
    if (existing) return { PipelineExecutionArn: existing };
    if (input.SelectiveExecutionConfig !== undefined) {
      throw new ValidationError('SelectiveExecutionConfig is not supported by the local runtime');
    }
    const version = pipelineVersion(pipeline, input.PipelineVersionId);
    const parameters = resolveParameters(pipeline.name, version.compiled, input.PipelineParameters);
    checkCapacity();
    const id = context.executionId();
    const arn = `${pipeline.arn}/execution/${id}`;
    const now = clock();
    const parallelism = (input.ParallelismConfiguration ?? pipeline.parallelism) as
      | { MaxParallelExecutionSteps: number }
      | undefined;
    const execution: ExecutionRecord = {
      arn,
      id,
      pipeline,
      displayName:
        typeof input.PipelineExecutionDisplayName === 'string'
          ? input.PipelineExecutionDisplayName
          : `execution-${now.getTime()}`,
      ...(typeof input.PipelineExecutionDescription === 'string'
        ? { description: input.PipelineExecutionDescription }
        : {}),
      status: 'Executing',
      creationTime: now,
      lastModifiedTime: now,
      ...(parallelism ? { parallelism } : {}),
      parameters: [...parameters].map(([Name, value]) => ({ Name, Value: renderValue(value) })),
      definition: version.definition,
      compiled: version.compiled,
      parameterValues: parameters,
      versionId: version.id,
      seq: context.nextSeq(),
      retryTokens: new Set(),
    };
    const experimentConfig = experimentConfigOf(execution, clock);
    if (experimentConfig) execution.experimentConfig = experimentConfig;
    startTokens.set(tokenKey, arn);
    executions.set(arn, execution);
    pipeline.lastRunTime = now;
    version.lastExecutionArn = arn;
    launch(execution);
    return { PipelineExecutionArn: arn };
  };

  /**
   * RetryPipelineExecution: runs a Failed execution again under the same ARN, from its failed
   * steps; Succeeded steps keep their outputs and are not run again ("Retry the execution of the
   * pipeline", API_RetryPipelineExecution.html; Studio's Retry resumes a failed execution).
   */
  const retryExecution = (input: Input): Output => {
    const execution = findExecution(input.PipelineExecutionArn);
    const token = String(input.ClientRequestToken);
    if (execution.retryTokens.has(token)) return { PipelineExecutionArn: execution.arn };
    // Which statuses may be retried is not published: local mode retries Failed executions only
    // and answers as SageMaker answers StopPipelineExecution on a wrong status (ValidationException
    // "Only pipelines with 'Executing' status can be stopped", quoted by apache/airflow #29077).
    if (execution.status !== 'Failed') {
      throw new ValidationError(
        `Only pipeline executions with 'Failed' status can be retried; '${execution.arn}' is ${execution.status}.`,
      );
    }
    checkCapacity();
    execution.retryTokens.add(token);
    const parallelism = input.ParallelismConfiguration as
      | { MaxParallelExecutionSteps: number }
      | undefined;
    if (parallelism) execution.parallelism = parallelism;
    delete execution.failureReason;
    delete execution.stopToken;
    launch(execution, execution.run?.steps ?? []);
    return { PipelineExecutionArn: execution.arn };
  };

  return {
    operations: {
      StartPipelineExecution: startExecution,
      RetryPipelineExecution: retryExecution,
      StopPipelineExecution(input) {
        const execution = findExecution(input.PipelineExecutionArn);
        if (execution.stopToken === input.ClientRequestToken)
          return { PipelineExecutionArn: execution.arn };
        if (execution.status !== 'Executing') {
          throw new ConflictError(
            `Pipeline execution '${execution.arn}' is ${execution.status} and cannot be stopped.`,
          );
        }
        execution.stopToken = String(input.ClientRequestToken);
        setExecutionStatus(execution, 'Stopping');
        execution.run?.stop();
        return { PipelineExecutionArn: execution.arn };
      },
      DescribePipelineExecution(input) {
        const e = findExecution(input.PipelineExecutionArn);
        return {
          PipelineArn: e.pipeline.arn,
          PipelineExecutionArn: e.arn,
          PipelineExecutionDisplayName: e.displayName,
          PipelineExecutionStatus: e.status,
          ...(e.description !== undefined ? { PipelineExecutionDescription: e.description } : {}),
          ...(e.experimentConfig ? { PipelineExperimentConfig: e.experimentConfig } : {}),
          ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
          CreationTime: e.creationTime,
          LastModifiedTime: e.lastModifiedTime,
          ...(e.parallelism ? { ParallelismConfiguration: e.parallelism } : {}),
          PipelineVersionId: e.versionId,
        };
      },
      ListPipelineExecutions(input) {
        const pipeline = context.findPipeline(input.PipelineName);
        const created = createdWithin(input);
        const list = [...executions.values()].filter((e) => e.pipeline === pipeline && created(e));
        return listPage(input, {
          member: 'PipelineExecutionSummaries',
          items: list,
          key: (e) => [
            input.SortBy === 'PipelineExecutionArn' ? e.arn : e.creationTime.getTime(),
            e.seq,
          ],
          view: executionSummary,
        });
      },
      ListPipelineExecutionSteps(input) {
        const execution = findExecution(input.PipelineExecutionArn);
        const steps = execution.run?.steps ?? [];
        const order = new Map(steps.map((step, index) => [step, index]));
        return listPage(input, {
          member: 'PipelineExecutionSteps',
          items: steps,
          key: (s) => [s.startTime.getTime(), order.get(s) ?? 0],
          view: stepView,
        });
      },
      ListPipelineParametersForExecution(input) {
        const execution = findExecution(input.PipelineExecutionArn);
        const order = new Map(execution.parameters.map((parameter, index) => [parameter, index]));
        return listPage(input, {
          member: 'PipelineParameters',
          items: execution.parameters,
          key: (p) => [order.get(p) ?? 0, 0],
          view: (p) => p,
          ascending: true,
        });
      },
      DescribePipelineDefinitionForExecution(input) {
        const execution = findExecution(input.PipelineExecutionArn);
        return { PipelineDefinition: execution.definition, CreationTime: execution.creationTime };
      },
    },
    runningFor(pipeline) {
      return [...executions.values()].filter(
        (e) => e.pipeline === pipeline && (e.status === 'Executing' || e.status === 'Stopping'),
      ).length;
    },
    forget(pipeline) {
      for (const execution of executions.values()) {
        if (execution.pipeline === pipeline) {
          execution.run?.stop();
          executions.delete(execution.arn);
        }
      }
      // A pipeline created again under this name starts afresh, tokens included.
      for (const key of startTokens.keys()) {
        if (key.startsWith(startTokenKey(pipeline, ''))) startTokens.delete(key);
      }
    },
    waitFor(executionArn) {
      const finisher = finishers.get(executionArn);
      if (!finisher)
        return Promise.reject(
          new NotFoundError(`Pipeline execution '${executionArn}' does not exist.`),
        );
      return finisher;
    },
    arns() {
      return [...executions.values()]
        .sort((a, b) => a.creationTime.getTime() - b.creationTime.getTime())
        .map((e) => e.arn);
    },
    running: () => running,
    timeline: () =>
      [...executions.values()].map((e) => ({
        executionArn: e.arn,
        pipelineName: e.pipeline.name,
        displayName: e.displayName,
        description: e.description,
        status: e.status,
        startTime: e.creationTime,
        endTime: TERMINAL.includes(e.status) ? e.lastModifiedTime : undefined,
      })),
    stopAll() {
      for (const execution of executions.values()) execution.run?.stop();
    },
  };
}
