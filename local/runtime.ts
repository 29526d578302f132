/**
 * The local SageMaker Pipelines runtime: pipelines, executions, callbacks, quotas and rate limits
 * behind the operations of SageMaker's API. Transport-free: `local/api/server.ts` puts it on HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { CompiledDefinition, Json, Primitive } from './engine/definition';
import {
  type CallbackMessage,
  CallbackOutputError,
  type CallbackWaiter,
  type ExecutionRun,
  type ExecutionStatus,
  executionScope,
  type OutputParameter,
  runExecution,
  type StepRecord,
} from './engine/interpreter';
import { defaultValue, EvaluationError, evaluate, parseTyped, renderValue } from './engine/values';
import {
  ConflictError,
  LimitExceededError,
  NotFoundError,
  ThrottlingError,
  ValidationError,
} from './errors';
import {
  createEventBus,
  type EventBus,
  executionStatusEvent,
  type PipelineEvent,
  stepStatusEvent,
} from './events';
import type { LambdaInvoker } from './invokers/types';
import { checkKnobs, DEFAULT_KNOBS, type Knobs } from './knobs';
import { isSupportedOperation, type SupportedOperation, unsupportedOperation } from './operations';
import { asDate, type Input, listPage, type Output } from './paging';
import {
  DEFAULT_MAX_PIPELINES,
  type PipelineRecord,
  pipelineOperations,
  pipelineVersion,
} from './pipelines';

/**
 * SageMaker stops waiting for a Lambda step's function after 10 minutes (Lambda step in "Types of
 * steps", https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps-types.html); it is
 * also why the fan-out function's timeout is 600 s.
 */
export const DEFAULT_LAMBDA_STEP_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The FailureReason SageMaker gives an execution whose steps failed; the detail stays on the steps
 * (public describe-pipeline-execution transcripts; sagemaker-python-sdk
 * tests/integ/sagemaker/workflow/test_fail_steps.py checks it in ListPipelineExecutions).
 */
export const STEP_FAILURE_REASON = 'Step failure: One or multiple steps failed.';

export interface RuntimeIds {
  /** 12 lowercase alphanumerics, like SageMaker's execution ids. */
  executionId(): string;
  /** 10 alphanumerics (model shape CallbackToken). */
  callbackToken(): string;
}

export interface RuntimeOptions {
  invoker: LambdaInvoker;
  region?: string;
  accountId?: string;
  lambdaTimeoutMs?: number;
  knobs?: Partial<Knobs>;
  maxPipelines?: number;
  clock?: () => Date;
  ids?: Partial<RuntimeIds>;
  random?: () => number;
  /** Functions (ARN or name) that receive every status event, as EventBridge rule targets would. */
  eventTargets?: string[];
  log?: (line: string) => void;
}

interface ExecutionRecord {
  arn: string;
  id: string;
  pipeline: PipelineRecord;
  displayName: string;
  description?: string;
  status: ExecutionStatus;
  failureReason?: string;
  creationTime: Date;
  lastModifiedTime: Date;
  parallelism?: { MaxParallelExecutionSteps: number };
  parameters: OutputParameter[];
  definition: string;
  compiled: CompiledDefinition;
  parameterValues: ReadonlyMap<string, Primitive>;
  experimentConfig?: { ExperimentName?: string; TrialName?: string };
  versionId: number;
  /** Creation order, the tie-break of listings. */
  seq: number;
  /** ClientRequestTokens of the RetryPipelineExecution calls that re-ran this execution. */
  retryTokens: Set<string>;
  run?: ExecutionRun;
  stopToken?: string;
}

/** A waiting callback as the CLI and the `/_local/callbacks` path list it. */
export interface QueuedCallback extends CallbackMessage {
  waitingSince: string;
}

function alphanumeric(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The local runtime's state and operations. Create it with {@link createRuntime}. */
export interface Runtime {
  readonly region: string;
  readonly accountId: string;
  readonly events: EventBus;
  readonly invoker: LambdaInvoker;
  /** Current knobs (read-only view; change them with setKnobs). */
  readonly knobs: Readonly<Knobs>;
  setKnobs(knobs: Partial<Knobs>): Readonly<Knobs>;
  /** Runs one API operation on an already validated input; throws an OperationError (local/errors.ts). */
  handle(operation: string, input: Input): Promise<Output>;
  /** Waiting callback messages, oldest first. */
  callbacks(): QueuedCallback[];
  /** Resolves when the execution ends (Succeeded, Failed or Stopped). */
  waitForExecution(executionArn: string): Promise<ExecutionStatus>;
  /** ARNs of every execution, all pipelines, oldest first. */
  executionArns(): string[];
  /** Executions currently Executing or Stopping. */
  runningExecutions(): number;
  /** Stops scheduling work; pending executions are abandoned (used on shutdown). */
  close(): void;
}

/** Creates an empty runtime that runs Lambda steps through `options.invoker`. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const ids: RuntimeIds = {
    executionId: options.ids?.executionId ?? (() => alphanumeric(12, LOWER)),
    callbackToken: options.ids?.callbackToken ?? (() => alphanumeric(10, MIXED)),
  };
  const lambdaTimeoutMs = options.lambdaTimeoutMs ?? DEFAULT_LAMBDA_STEP_TIMEOUT_MS;
  const maxPipelines = options.maxPipelines ?? DEFAULT_MAX_PIPELINES;
  const log = options.log ?? (() => {});
  let knobs: Knobs = { ...DEFAULT_KNOBS, ...checkKnobs(options.knobs ?? {}) };
  const events = createEventBus((error) => log(`event listener failed: ${String(error)}`));
  const pipelines = new Map<string, PipelineRecord>();
  const executions = new Map<string, ExecutionRecord>();
  const startTokens = new Map<string, string>();
  const waiting = new Map<
    string,
    { waiter: CallbackWaiter; execution: ExecutionRecord; since: Date }
  >();
  /** Answered callbacks: the operation and ClientRequestToken of the answer, for retries. */
  const completedCallbacks = new Map<
    string,
    { operation: string; clientToken?: string; executionArn: string }
  >();
  let running = 0;
  const finishers = new Map<string, Promise<ExecutionStatus>>();
  const recentStarts: number[] = [];
  let sequence = 0;
  const nextSeq = () => {
    sequence += 1;
    return sequence;
  };

  const emit = (event: PipelineEvent) => {
    events.publish(event);
    for (const target of options.eventTargets ?? []) {
      const controller = new AbortController();
      options.invoker
        .invoke({
          functionArn: target,
          payload: event,
          timeoutMs: lambdaTimeoutMs,
          signal: controller.signal,
        })
        .then((result) => {
          if (!result.ok) log(`event target ${target} failed: ${result.error}`);
        })
        .catch((error: unknown) => log(`event target ${target} failed: ${String(error)}`));
    }
  };

  const pipelineArnPrefix = `arn:aws:sagemaker:${region}:${accountId}:pipeline/`;

  /**
   * Pipeline names are unique per account and Region regardless of case, as in ARNs. An ARN of
   * another partition, Region or account names a pipeline this runtime does not hold.
   */
  const findPipeline = (nameOrArn: unknown): PipelineRecord => {
    const text = String(nameOrArn);
    const name = !text.startsWith('arn:')
      ? text
      : text.toLowerCase().startsWith(pipelineArnPrefix)
        ? text.slice(pipelineArnPrefix.length)
        : undefined;
    const record = name === undefined ? undefined : pipelines.get(name.toLowerCase());
    if (!record) throw new NotFoundError(`Pipeline '${text}' does not exist.`);
    return record;
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
    emit(
      executionStatusEvent(
        { account: accountId, region, now: execution.lastModifiedTime },
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

  const resolveParameters = (
    pipeline: PipelineRecord,
    compiled: CompiledDefinition,
    given: unknown,
  ): Map<string, Primitive> => {
    const list = (Array.isArray(given) ? given : []) as { Name: string; Value: string }[];
    const values = new Map<string, Primitive>();
    for (const { Name, Value } of list) {
      const declaration = compiled.parameters.get(Name);
      if (!declaration) {
        const known = [...compiled.parameters.keys()];
        throw new ValidationError(
          `Pipeline parameter '${Name}' is not defined in pipeline '${pipeline.name}' (defined: ${known.join(', ') || 'none'})`,
        );
      }
      if (values.has(Name))
        throw new ValidationError(`Pipeline parameter '${Name}' is given more than once`);
      const typed = parseTyped(declaration.Type, Value);
      if (typed === undefined) {
        throw new ValidationError(
          `Value '${Value}' of pipeline parameter '${Name}' is not a valid ${declaration.Type}`,
        );
      }
      values.set(Name, typed);
    }
    for (const [name, declaration] of compiled.parameters) {
      if (values.has(name)) continue;
      const fallback = defaultValue(declaration);
      if (fallback === undefined) {
        throw new ValidationError(
          `Pipeline parameter '${name}' has no default value and was not given`,
        );
      }
      values.set(name, fallback);
    }
    return values;
  };

  const checkRate = () => {
    if (random() < knobs.throttleRate) throw new ThrottlingError('Rate exceeded');
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

  const startTokenKey = (pipeline: PipelineRecord, token: string) =>
    `${pipeline.name.toLowerCase()}\n${token}`;

  const startExecution = (input: Input): Output => {
    checkRate();
    const pipeline = findPipeline(input.PipelineName);
    const tokenKey = startTokenKey(pipeline, String(input.ClientRequestToken));
    const existing = startTokens.get(tokenKey);
    // A retried request (same token, same pipeline) gets the same execution and starts nothing.
    if (existing) return { PipelineExecutionArn: existing };
    if (input.SelectiveExecutionConfig !== undefined) {
      throw new ValidationError('SelectiveExecutionConfig is not supported by the local runtime');
    }
    const version = pipelineVersion(pipeline, input.PipelineVersionId);
    const parameters = resolveParameters(pipeline, version.compiled, input.PipelineParameters);
    checkCapacity();
    const id = ids.executionId();
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
      seq: nextSeq(),
      retryTokens: new Set(),
    };
    const identity = identityOf(execution);
    const experiment = version.compiled.definition.PipelineExperimentConfig;
    if (experiment) {
      try {
        const scope = executionScope(identity, parameters, clock, () => {
          throw new EvaluationError('PipelineExperimentConfig cannot read step outputs');
        });
        const evaluated = evaluate(experiment as Json, scope) as Record<string, Json>;
        execution.experimentConfig = Object.fromEntries(
          Object.entries(evaluated).map(([key, value]) => [key, String(value)]),
        );
      } catch (error) {
        throw new ValidationError(`PipelineExperimentConfig: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
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

  const checkCapacity = () => {
    if (running >= knobs.maxConcurrentExecutions) {
      throw new LimitExceededError(
        `The account-level service limit 'Maximum number of concurrent pipeline executions' is ${knobs.maxConcurrentExecutions} executions, with current utilization of ${running} executions and a request delta of 1 executions.`,
      );
    }
  };

  const identityOf = (execution: ExecutionRecord) => ({
    pipelineName: execution.pipeline.name,
    pipelineArn: execution.pipeline.arn,
    executionArn: execution.arn,
    executionId: execution.id,
    startTime: execution.creationTime,
  });

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
      invoker: options.invoker,
      lambdaTimeoutMs,
      clock,
      newCallbackToken: ids.callbackToken,
      hooks: {
        onStepChange: (step: StepRecord, previous) => {
          execution.lastModifiedTime = clock();
          emit(
            stepStatusEvent({ account: accountId, region, now: clock() }, eventIds, step, previous),
          );
        },
        onCallbackWaiting: (waiter) => {
          waiting.set(waiter.message.token, { waiter, execution, since: clock() });
        },
        onCallbackDone: (token) => {
          waiting.delete(token);
        },
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

  const executionSummary = (e: ExecutionRecord): Output => ({
    PipelineExecutionArn: e.arn,
    StartTime: e.creationTime,
    PipelineExecutionStatus: e.status,
    PipelineExecutionDisplayName: e.displayName,
    ...(e.description !== undefined ? { PipelineExecutionDescription: e.description } : {}),
    ...(e.failureReason ? { PipelineExecutionFailureReason: e.failureReason } : {}),
  });

  const stepView = (step: StepRecord): Output => ({
    StepName: step.name,
    ...(step.displayName ? { StepDisplayName: step.displayName } : {}),
    ...(step.description ? { StepDescription: step.description } : {}),
    StartTime: step.startTime,
    ...(step.endTime ? { EndTime: step.endTime } : {}),
    StepStatus: step.status,
    ...(step.failureReason ? { FailureReason: step.failureReason } : {}),
    Metadata: step.metadata,
    AttemptCount: 1,
  });

  /**
   * Answers a waiting callback once. The same operation retried with the same ClientRequestToken
   * gets the first answer, as the idempotency token promises (API_SendPipelineExecutionStepSuccess:
   * "An idempotent operation completes no more than once"); SDKs retry with the same token after a
   * lost response. Any other second answer is a ConflictException.
   */
  const answerCallback = (
    operation: 'SendPipelineExecutionStepSuccess' | 'SendPipelineExecutionStepFailure',
    input: Input,
    answer: (waiter: CallbackWaiter) => void,
  ): Output => {
    const token = String(input.CallbackToken);
    const clientToken =
      typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const entry = waiting.get(token);
    if (!entry) {
      const done = completedCallbacks.get(token);
      if (!done) throw new NotFoundError(`Callback token '${token}' does not exist.`);
      if (
        clientToken !== undefined &&
        done.operation === operation &&
        done.clientToken === clientToken
      ) {
        return { PipelineExecutionArn: done.executionArn };
      }
      throw new ConflictError(`Callback token '${token}' has already been used.`);
    }
    answer(entry.waiter);
    completedCallbacks.set(token, {
      operation,
      ...(clientToken !== undefined ? { clientToken } : {}),
      executionArn: entry.execution.arn,
    });
    return { PipelineExecutionArn: entry.execution.arn };
  };

  const operations: Record<SupportedOperation, (input: Input) => Output | Promise<Output>> = {
    ...pipelineOperations({
      pipelines,
      clock,
      maxPipelines,
      find: findPipeline,
      nextSeq,
      arnOf: (name) => `${pipelineArnPrefix}${name.toLowerCase()}`,
      runningExecutions: (pipeline) =>
        [...executions.values()].filter(
          (e) => e.pipeline === pipeline && (e.status === 'Executing' || e.status === 'Stopping'),
        ).length,
      onDelete: (pipeline) => {
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
    }),
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
      const pipeline = findPipeline(input.PipelineName);
      const after = asDate(input.CreatedAfter);
      const before = asDate(input.CreatedBefore);
      const list = [...executions.values()].filter(
        (e) =>
          e.pipeline === pipeline &&
          (!after || e.creationTime > after) &&
          (!before || e.creationTime < before),
      );
      const { items, nextToken } = listPage(list, input, (e) => [
        input.SortBy === 'PipelineExecutionArn' ? e.arn : e.creationTime.getTime(),
        e.seq,
      ]);
      return {
        PipelineExecutionSummaries: items.map(executionSummary),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListPipelineExecutionSteps(input) {
      const execution = findExecution(input.PipelineExecutionArn);
      const steps = execution.run?.steps ?? [];
      const order = new Map(steps.map((step, index) => [step, index]));
      const { items, nextToken } = listPage(steps, input, (s) => [
        s.startTime.getTime(),
        order.get(s) ?? 0,
      ]);
      return {
        PipelineExecutionSteps: items.map(stepView),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListPipelineParametersForExecution(input) {
      const execution = findExecution(input.PipelineExecutionArn);
      const order = new Map(execution.parameters.map((parameter, index) => [parameter, index]));
      const { items, nextToken } = listPage(
        execution.parameters,
        input,
        (p) => [order.get(p) ?? 0, 0],
        true,
      );
      return { PipelineParameters: items, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    DescribePipelineDefinitionForExecution(input) {
      const execution = findExecution(input.PipelineExecutionArn);
      return { PipelineDefinition: execution.definition, CreationTime: execution.creationTime };
    },
    SendPipelineExecutionStepSuccess(input) {
      return answerCallback('SendPipelineExecutionStepSuccess', input, (waiter) => {
        try {
          waiter.succeed((input.OutputParameters ?? []) as OutputParameter[]);
        } catch (error) {
          if (error instanceof CallbackOutputError) {
            throw new ValidationError(error.message, { cause: error });
          }
          throw error;
        }
      });
    },
    SendPipelineExecutionStepFailure(input) {
      return answerCallback('SendPipelineExecutionStepFailure', input, (waiter) =>
        waiter.fail(typeof input.FailureReason === 'string' ? input.FailureReason : ''),
      );
    },
  };

  return {
    region,
    accountId,
    events,
    invoker: options.invoker,
    get knobs() {
      return knobs;
    },
    setKnobs(partial) {
      knobs = { ...knobs, ...checkKnobs(partial) };
      return knobs;
    },
    async handle(operation, input) {
      if (!isSupportedOperation(operation)) throw unsupportedOperation(operation);
      return operations[operation](input);
    },
    callbacks() {
      return [...waiting.values()]
        .sort((a, b) => a.since.getTime() - b.since.getTime())
        .map(({ waiter, since }) => ({ ...waiter.message, waitingSince: since.toISOString() }));
    },
    waitForExecution(executionArn) {
      const finisher = finishers.get(executionArn);
      if (!finisher)
        return Promise.reject(
          new NotFoundError(`Pipeline execution '${executionArn}' does not exist.`),
        );
      return finisher;
    },
    executionArns() {
      return [...executions.values()]
        .sort((a, b) => a.creationTime.getTime() - b.creationTime.getTime())
        .map((e) => e.arn);
    },
    runningExecutions: () => running,
    close() {
      for (const execution of executions.values()) execution.run?.stop();
    },
  };
}
