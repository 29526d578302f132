/**
 * The local SageMaker Pipelines runtime: pipelines, executions, callbacks, quotas and rate limits
 * behind the operations of SageMaker's API. Transport-free: `local/api/server.ts` puts it on HTTP.
 * The operations live in `pipelines.ts`, `executions.ts` and `callbacks.ts`; this module wires them.
 */
import { randomBytes } from 'node:crypto';
import { awsRegion } from '../shared/config';
import { type CallbackDelivery, createCallbackQueue, type QueuedCallback } from './callbacks';
import type { ExecutionStatus } from './engine/interpreter';
import { NotFoundError } from './errors';
import { createEventBus, type EventBus, type PipelineEvent } from './events';
import { createExecutions, type ExecutionSpan } from './executions';
import type { LambdaInvoker } from './invokers/types';
import { checkKnobs, DEFAULT_KNOBS, type Knobs } from './knobs';
import { isSupportedOperation, type SupportedOperation, unsupportedOperation } from './operations';
import type { Input, Output } from './paging';
import { DEFAULT_MAX_PIPELINES, type PipelineRecord, pipelineOperations } from './pipelines';

export type { QueuedCallback } from './callbacks';
export type { ExecutionSpan } from './executions';

/**
 * SageMaker stops waiting for a Lambda step's function after 10 minutes (Lambda step in "Types of
 * steps", https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps-types.html); it is
 * also why the fan-out function's timeout is 600 s.
 */
export const DEFAULT_LAMBDA_STEP_TIMEOUT_MS = 10 * 60 * 1000;

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
  /** Delivers Callback steps' messages to the functions consuming their queues (serverless.yml). */
  callbackDelivery?: CallbackDelivery;
  log?: (line: string) => void;
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
  /** When each execution started and ended, oldest first. */
  executionTimeline(): ExecutionSpan[];
  /** Stops scheduling work; pending executions are abandoned (used on shutdown). */
  close(): void;
}

/** Creates an empty runtime that runs Lambda steps through `options.invoker`. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const region = options.region ?? awsRegion();
  const accountId = options.accountId ?? '123456789012';
  const clock = options.clock ?? (() => new Date());
  const lambdaTimeoutMs = options.lambdaTimeoutMs ?? DEFAULT_LAMBDA_STEP_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  let knobs: Knobs = { ...DEFAULT_KNOBS, ...checkKnobs(options.knobs ?? {}) };
  const events = createEventBus((error) => log(`event listener failed: ${String(error)}`));
  const pipelines = new Map<string, PipelineRecord>();
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

  const callbacks = createCallbackQueue(clock, options.callbackDelivery);
  const executions = createExecutions({
    account: { region, accountId },
    invoker: options.invoker,
    lambdaTimeoutMs,
    clock,
    random: options.random ?? Math.random,
    executionId: options.ids?.executionId ?? (() => alphanumeric(12, LOWER)),
    callbackToken: options.ids?.callbackToken ?? (() => alphanumeric(10, MIXED)),
    knobs: () => knobs,
    emit,
    findPipeline,
    nextSeq,
    callbacks,
  });

  const operations: Record<SupportedOperation, (input: Input) => Output | Promise<Output>> = {
    ...pipelineOperations({
      pipelines,
      clock,
      maxPipelines: options.maxPipelines ?? DEFAULT_MAX_PIPELINES,
      find: findPipeline,
      nextSeq,
      arnOf: (name) => `${pipelineArnPrefix}${name.toLowerCase()}`,
      runningExecutions: executions.runningFor,
      onDelete: executions.forget,
    }),
    ...executions.operations,
    ...callbacks.operations,
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
    callbacks: callbacks.list,
    waitForExecution: executions.waitFor,
    executionArns: executions.arns,
    runningExecutions: executions.running,
    executionTimeline: executions.timeline,
    close: executions.stopAll,
  };
}
