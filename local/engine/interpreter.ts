/**
 * Runs one pipeline execution: schedules the step DAG, evaluates values, runs Lambda, Condition,
 * Fail and Callback steps, and reports every status change through hooks. No HTTP and no global
 * state: the clock, token source and invoker are passed in.
 */
import { truncate } from '../../shared/describe-value';
import { MAX_FAILURE_REASON_LENGTH } from '../../shared/limits';
import type { InvokeResult, LambdaInvoker } from '../invokers/types';
import { evaluateConditions } from './conditions';
import type {
  CompiledDefinition,
  Json,
  OutputParameterDeclaration,
  Primitive,
  StepNode,
} from './definition';
import { LocalError } from './errors';
import { type ExecutionIdentity, readExecutionVariable } from './execution-variables';
import { SUPPORTED_STEP_TYPES } from './rules';
import {
  EvaluationError,
  evaluate,
  evaluateText,
  parseTyped,
  renderValue,
  type Scope,
  typedOutput,
  unavailableProperty,
} from './values';

export type StepStatus = 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
export type ExecutionStatus = 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export interface OutputParameter {
  Name: string;
  Value: string;
}

/** Step metadata in the shape ListPipelineExecutionSteps returns it. */
export interface StepMetadata {
  Lambda?: { Arn?: string; OutputParameters?: OutputParameter[] };
  Condition?: { Outcome: 'True' | 'False' };
  Fail?: { ErrorMessage: string };
  Callback?: { CallbackToken: string; SqsQueueUrl?: string; OutputParameters?: OutputParameter[] };
}

/** The live record of one step of an execution. */
export interface StepRecord {
  name: string;
  type: string;
  displayName?: string;
  description?: string;
  status: StepStatus;
  startTime: Date;
  endTime?: Date;
  failureReason?: string;
  metadata: StepMetadata;
  outputs: Map<string, Primitive>;
}

/** The message a Callback step would put on its SQS queue (documented body fields). */
export interface CallbackMessage {
  token: string;
  pipelineExecutionArn: string;
  arguments: Json;
  status: 'Executing' | 'Stopping';
  stepName: string;
  sqsQueueUrl?: string;
}

/** A Callback step waiting for SendPipelineExecutionStepSuccess or ...Failure. */
export interface CallbackWaiter {
  message: CallbackMessage;
  /** Completes the step; throws CallbackOutputError when an output does not fit its declaration. */
  succeed(outputs: OutputParameter[]): void;
  fail(reason: string): void;
}

/** Callback outputs that do not match the step's declared OutputParameters. */
export class CallbackOutputError extends LocalError {}

export interface InterpreterHooks {
  onStepChange?(step: StepRecord, previous: StepStatus | undefined): void;
  onCallbackWaiting?(waiter: CallbackWaiter): void;
  /** The execution is stopping while this callback waits; SageMaker sends a second message. */
  onCallbackStopping?(waiter: CallbackWaiter): void;
  onCallbackDone?(token: string): void;
}

export interface RunOptions {
  compiled: CompiledDefinition;
  parameters: ReadonlyMap<string, Primitive>;
  identity: ExecutionIdentity;
  maxParallelSteps?: number;
  invoker: LambdaInvoker;
  lambdaTimeoutMs: number;
  clock: () => Date;
  newCallbackToken: () => string;
  hooks?: InterpreterHooks;
  /**
   * Steps of an earlier attempt of this execution (RetryPipelineExecution): the Succeeded ones
   * keep their records and outputs and do not run again; the others run.
   */
  previousSteps?: readonly StepRecord[];
}

export interface ExecutionOutcome {
  status: 'Succeeded' | 'Failed' | 'Stopped';
  failureReason?: string;
}

export interface ExecutionRun {
  /** Steps in the order they started. */
  readonly steps: StepRecord[];
  readonly done: Promise<ExecutionOutcome>;
  /** Stops scheduling; running steps end first, waiting callbacks get a Stopping message. */
  stop(): void;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What values of one execution can read: its parameters, execution variables and step outputs. */
export function executionScope(
  identity: ExecutionIdentity,
  parameters: ReadonlyMap<string, Primitive>,
  clock: () => Date,
  stepOutput: Scope['stepOutput'],
  stepProperty: Scope['stepProperty'] = (step, property) => {
    throw unavailableProperty(step, property);
  },
): Scope {
  return {
    parameters,
    stepOutput,
    stepProperty,
    execution: (variable) => readExecutionVariable(variable, identity, clock),
  };
}

/** Starts an execution; returns immediately with its live step list and a promise of the outcome. */
export function runExecution(options: RunOptions): ExecutionRun {
  const { compiled, identity, clock, hooks = {} } = options;
  const maxParallel = options.maxParallelSteps ?? Number.POSITIVE_INFINITY;
  const steps: StepRecord[] = [];
  const records = new Map<string, StepRecord>();
  const state = new Map<string, 'pending' | 'running' | 'done' | 'skipped'>();
  for (const name of compiled.steps.keys()) state.set(name, 'pending');
  for (const record of options.previousSteps ?? []) {
    if (record.status !== 'Succeeded' || !compiled.steps.has(record.name)) continue;
    steps.push(record);
    records.set(record.name, record);
    state.set(record.name, 'done');
  }
  const waiters = new Map<string, CallbackWaiter>();
  let running = 0;
  let stopping = false;
  let firstFailure: string | undefined;
  let finished = false;
  let resolveDone: (outcome: ExecutionOutcome) => void = () => {};
  const done = new Promise<ExecutionOutcome>((resolve) => {
    resolveDone = resolve;
  });

  const scope = executionScope(
    identity,
    options.parameters,
    clock,
    (step, output) => {
      const value = records.get(step)?.outputs.get(output);
      if (value === undefined) {
        throw new EvaluationError(`step '${step}' has no output '${output}' in this execution`);
      }
      return value;
    },
    (step, property) => {
      // Metadata says 'True'/'False' (ConditionOutcome in the API model); as a value it is a
      // Boolean, which Std:Join renders "true"/"false" (SDK integ test
      // test_fail_steps.py::test_two_step_fail_pipeline_with_join_fn).
      const outcome =
        property === 'Outcome' ? records.get(step)?.metadata.Condition?.Outcome : undefined;
      if (outcome === undefined) throw unavailableProperty(step, property);
      return outcome === 'True';
    },
  );

  const setStatus = (record: StepRecord, status: StepStatus) => {
    const previous = record.status;
    record.status = status;
    if (status === 'Succeeded' || status === 'Failed' || status === 'Stopped') {
      record.endTime = clock();
    }
    hooks.onStepChange?.(record, previous);
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    if (firstFailure !== undefined) resolveDone({ status: 'Failed', failureReason: firstFailure });
    else if (stopping) resolveDone({ status: 'Stopped' });
    else resolveDone({ status: 'Succeeded' });
  };

  const ready = (node: StepNode): 'wait' | 'run' | 'skip' => {
    for (const dependency of node.dependsOn) {
      const dependencyState = state.get(dependency);
      if (dependencyState === 'skipped') return 'skip';
      if (dependencyState !== 'done') return 'wait';
      if (records.get(dependency)?.status !== 'Succeeded') return 'skip';
    }
    if (node.branch) {
      const outcome = records.get(node.branch.condition)?.metadata.Condition?.Outcome;
      if (outcome !== node.branch.outcome) return 'skip';
    }
    return 'run';
  };

  const pump = () => {
    if (finished) return;
    const halted = stopping || firstFailure !== undefined;
    let changed = true;
    while (changed && !halted) {
      changed = false;
      for (const [name, node] of compiled.steps) {
        if (state.get(name) !== 'pending') continue;
        const verdict = ready(node);
        if (verdict === 'skip') {
          // Not taken (other Condition branch) or upstream did not succeed: never runs, never listed.
          state.set(name, 'skipped');
          changed = true;
        } else if (verdict === 'run' && running < maxParallel) {
          state.set(name, 'running');
          running += 1;
          changed = true;
          void startStep(node).finally(() => {
            running -= 1;
            state.set(name, 'done');
            pump();
          });
        }
      }
    }
    if (running === 0) finish();
  };

  const failStep = (record: StepRecord, reason: string) => {
    record.failureReason = truncate(reason, MAX_FAILURE_REASON_LENGTH);
    // An execution's FailureReason is at most 1,300 characters (shape PipelineExecutionFailureReason).
    firstFailure ??= truncate(`Step failure: step '${record.name}' failed: ${reason}`, 1300);
    setStatus(record, 'Failed');
  };

  const startStep = async (node: StepNode): Promise<void> => {
    const { step } = node;
    const record: StepRecord = {
      name: step.Name,
      type: step.Type,
      status: 'Starting',
      startTime: clock(),
      metadata: {},
      outputs: new Map(),
    };
    if (typeof step.DisplayName === 'string') record.displayName = step.DisplayName;
    if (typeof step.Description === 'string') record.description = step.Description;
    steps.push(record);
    records.set(step.Name, record);
    hooks.onStepChange?.(record, undefined);
    // Let the Starting status be observable before the step does any work.
    await Promise.resolve();
    setStatus(record, 'Executing');
    try {
      switch (step.Type) {
        case 'Lambda':
          await runLambda(node, record);
          return;
        case 'Condition': {
          const args = (step.Arguments ?? {}) as { [key: string]: Json };
          const outcome = evaluateConditions(args.Conditions ?? null, scope) ? 'True' : 'False';
          record.metadata.Condition = { Outcome: outcome };
          setStatus(record, 'Succeeded');
          return;
        }
        case 'Fail': {
          const args = (step.Arguments ?? {}) as { [key: string]: Json };
          const message = evaluateText(args.ErrorMessage, scope);
          record.metadata.Fail = { ErrorMessage: message };
          // A Fail step without a message has no FailureReason (sagemaker-python-sdk
          // tests/integ/sagemaker/workflow/test_fail_steps.py, test_two_step_fail_pipeline_with_no_err_msg).
          if (message !== '') record.failureReason = truncate(message, MAX_FAILURE_REASON_LENGTH);
          // The Fail step's message is the execution's failure reason, as SageMaker reports it.
          firstFailure ??= truncate(message, 1300);
          setStatus(record, 'Failed');
          return;
        }
        case 'Callback':
          await runCallback(node, record);
          return;
        default:
          failStep(
            record,
            `step type ${step.Type} is not supported in local mode (supported: ${SUPPORTED_STEP_TYPES.join(', ')})`,
          );
      }
    } catch (error) {
      failStep(record, describeError(error));
    }
  };

  const readOutputs = (
    declared: OutputParameterDeclaration[],
    payload: unknown,
  ): Map<string, Primitive> => {
    const outputs = new Map<string, Primitive>();
    if (declared.length === 0) return outputs;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new EvaluationError(
        `the function returned ${JSON.stringify(payload)}, not an object with the declared outputs ${declared.map((o) => o.OutputName).join(', ')}`,
      );
    }
    const result = payload as Record<string, unknown>;
    for (const output of declared) {
      const value = result[output.OutputName];
      if (value === undefined) {
        throw new EvaluationError(`the function's response has no output '${output.OutputName}'`);
      }
      const typed = typedOutput(output.OutputType, value);
      if (typed === undefined) {
        throw new EvaluationError(
          `output '${output.OutputName}' should be ${output.OutputType} but the function returned ${JSON.stringify(value)}`,
        );
      }
      outputs.set(output.OutputName, typed);
    }
    return outputs;
  };

  const runLambda = async (node: StepNode, record: StepRecord) => {
    const functionArn = evaluate(node.step.FunctionArn, scope);
    if (typeof functionArn !== 'string' || functionArn === '') {
      throw new EvaluationError(`FunctionArn must be a string, got ${JSON.stringify(functionArn)}`);
    }
    record.metadata.Lambda = { Arn: functionArn };
    const payload = evaluate(node.step.Arguments ?? {}, scope);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<InvokeResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({
          ok: false,
          error: `Lambda step timed out: the function did not answer within ${options.lambdaTimeoutMs} ms`,
        });
      }, options.lambdaTimeoutMs);
    });
    let result: InvokeResult;
    try {
      result = await Promise.race([
        options.invoker
          .invoke({
            functionArn,
            payload,
            timeoutMs: options.lambdaTimeoutMs,
            signal: controller.signal,
          })
          .catch((error: unknown): InvokeResult => ({ ok: false, error: describeError(error) })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (!result.ok) {
      failStep(record, result.error);
      return;
    }
    const declared = node.step.OutputParameters ?? [];
    record.outputs = readOutputs(declared, result.payload);
    record.metadata.Lambda.OutputParameters = declared.map((o) => ({
      Name: o.OutputName,
      Value: renderValue(record.outputs.get(o.OutputName) as Primitive),
    }));
    setStatus(record, 'Succeeded');
  };

  const runCallback = (node: StepNode, record: StepRecord) =>
    new Promise<void>((resolve) => {
      const args = evaluate(node.step.Arguments ?? {}, scope);
      const queue = evaluate(node.step.SqsQueueUrl, scope);
      const token = options.newCallbackToken();
      record.metadata.Callback = { CallbackToken: token };
      if (typeof queue === 'string') record.metadata.Callback.SqsQueueUrl = queue;
      const declared = node.step.OutputParameters ?? [];
      const end = () => {
        waiters.delete(token);
        hooks.onCallbackDone?.(token);
        resolve();
      };
      const waiter: CallbackWaiter = {
        message: {
          token,
          pipelineExecutionArn: identity.executionArn,
          arguments: args,
          status: 'Executing',
          stepName: record.name,
          ...(typeof queue === 'string' ? { sqsQueueUrl: queue } : {}),
        },
        succeed(outputs) {
          const typed = new Map<string, Primitive>();
          for (const output of outputs) {
            const declaration = declared.find((d) => d.OutputName === output.Name);
            if (!declaration) {
              throw new CallbackOutputError(
                `step '${record.name}' declares no output '${output.Name}' (declared: ${declared.map((d) => d.OutputName).join(', ') || 'none'})`,
              );
            }
            const value = parseTyped(declaration.OutputType, output.Value);
            if (value === undefined) {
              throw new CallbackOutputError(
                `output '${output.Name}' of step '${record.name}' should be ${declaration.OutputType}, got '${output.Value}'`,
              );
            }
            typed.set(output.Name, value);
          }
          const missing = declared.filter((d) => !typed.has(d.OutputName)).map((d) => d.OutputName);
          record.outputs = typed;
          record.metadata.Callback = {
            ...(record.metadata.Callback as NonNullable<StepMetadata['Callback']>),
            OutputParameters: outputs.map((o) => ({ Name: o.Name, Value: o.Value })),
          };
          if (stopping) setStatus(record, 'Stopped');
          else if (missing.length > 0) {
            failStep(record, `callback did not send the declared output(s) ${missing.join(', ')}`);
          } else setStatus(record, 'Succeeded');
          end();
        },
        fail(reason) {
          if (stopping) setStatus(record, 'Stopped');
          else failStep(record, reason || 'callback reported failure');
          end();
        },
      };
      waiters.set(token, waiter);
      hooks.onCallbackWaiting?.(waiter);
    });

  queueMicrotask(pump);
  return {
    steps,
    done,
    stop() {
      if (finished || stopping) return;
      stopping = true;
      for (const waiter of waiters.values()) {
        waiter.message = { ...waiter.message, status: 'Stopping' };
        hooks.onCallbackStopping?.(waiter);
      }
      if (running === 0) finish();
    },
  };
}
