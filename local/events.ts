/**
 * The EventBridge events SageMaker emits for pipeline executions and steps, delivered to local
 * subscribers instead of an event bus.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionStatus, StepRecord, StepStatus } from './engine/interpreter';

export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
export const STEP_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Step Status Change';

/** An EventBridge event envelope (`source: aws.sagemaker`). */
export interface PipelineEvent {
  version: '0';
  id: string;
  'detail-type': typeof EXECUTION_STATUS_CHANGE | typeof STEP_STATUS_CHANGE;
  source: 'aws.sagemaker';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type PipelineEventListener = (event: PipelineEvent) => void;

export interface EventEnvironment {
  account: string;
  region: string;
  now: Date;
  id?: string;
}

export interface ExecutionEventFacts {
  pipelineArn: string;
  executionArn: string;
  displayName: string;
  description?: string;
  startTime: Date;
  endTime?: Date;
  current: ExecutionStatus;
  previous?: ExecutionStatus;
}

/** EventBridge uses seconds precision ISO-8601 times (`2021-03-11T20:15:20Z`). */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function envelope(
  env: EventEnvironment,
  detailType: PipelineEvent['detail-type'],
  resources: string[],
  detail: Record<string, unknown>,
): PipelineEvent {
  return {
    version: '0',
    id: env.id ?? randomUUID(),
    'detail-type': detailType,
    source: 'aws.sagemaker',
    account: env.account,
    time: isoSeconds(env.now),
    region: env.region,
    resources,
    detail,
  };
}

/** "SageMaker Model Building Pipeline Execution Status Change" for one status transition. */
export function executionStatusEvent(
  env: EventEnvironment,
  facts: ExecutionEventFacts,
): PipelineEvent {
  return envelope(env, EXECUTION_STATUS_CHANGE, [facts.pipelineArn, facts.executionArn], {
    pipelineExecutionDisplayName: facts.displayName,
    currentPipelineExecutionStatus: facts.current,
    ...(facts.previous ? { previousPipelineExecutionStatus: facts.previous } : {}),
    executionStartTime: isoSeconds(facts.startTime),
    ...(facts.endTime ? { executionEndTime: isoSeconds(facts.endTime) } : {}),
    pipelineExecutionDescription: facts.description ?? '',
    pipelineArn: facts.pipelineArn,
    pipelineExecutionArn: facts.executionArn,
  });
}

/** Event detail keys are lowerCamelCase where the API's are UpperCamelCase. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key.charAt(0).toLowerCase() + key.slice(1),
      lowerKeys(child),
    ]),
  );
}

/** "SageMaker Model Building Pipeline Execution Step Status Change" for one step transition. */
export function stepStatusEvent(
  env: EventEnvironment,
  ids: { pipelineArn: string; executionArn: string },
  step: StepRecord,
  previous: StepStatus | undefined,
): PipelineEvent {
  return envelope(env, STEP_STATUS_CHANGE, [ids.pipelineArn, ids.executionArn], {
    metadata: lowerKeys(step.metadata),
    stepStartTime: isoSeconds(step.startTime),
    ...(step.endTime ? { stepEndTime: isoSeconds(step.endTime) } : {}),
    stepName: step.name,
    stepType: step.type,
    ...(previous ? { previousStepStatus: previous } : {}),
    currentStepStatus: step.status,
    ...(step.failureReason ? { failureReason: step.failureReason } : {}),
    pipelineArn: ids.pipelineArn,
    pipelineExecutionArn: ids.executionArn,
  });
}

/** Fan-out of events to in-process listeners; a throwing listener never breaks the runtime. */
export interface EventBus {
  subscribe(listener: PipelineEventListener): () => void;
  publish(event: PipelineEvent): void;
}

/** Creates an event bus; `onListenerError` sees listener failures (they are otherwise dropped). */
export function createEventBus(onListenerError?: (error: unknown) => void): EventBus {
  const listeners = new Set<PipelineEventListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onListenerError?.(error);
        }
      }
    },
  };
}
