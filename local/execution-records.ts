/** An execution's record, what it ran with, and its views in the API's shapes. */
import type { CompiledDefinition, Json, Primitive } from './engine/definition';
import type { ExecutionIdentity } from './engine/execution-variables';
import {
  type ExecutionRun,
  type ExecutionStatus,
  executionScope,
  type OutputParameter,
  type StepRecord,
} from './engine/interpreter';
import { defaultValue, EvaluationError, evaluate, parseTyped } from './engine/values';
import { ValidationError } from './errors';
import type { Output } from './paging';
import type { PipelineRecord } from './pipelines';

export interface ExecutionRecord {
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

/** The typed values of StartPipelineExecution's PipelineParameters, defaults filled in. */
export function resolveParameters(
  pipelineName: string,
  compiled: CompiledDefinition,
  given: unknown,
): Map<string, Primitive> {
  const list = (Array.isArray(given) ? given : []) as { Name: string; Value: string }[];
  const values = new Map<string, Primitive>();
  for (const { Name, Value } of list) {
    const declaration = compiled.parameters.get(Name);
    if (!declaration) {
      const known = [...compiled.parameters.keys()];
      throw new ValidationError(
        `Pipeline parameter '${Name}' is not defined in pipeline '${pipelineName}' (defined: ${known.join(', ') || 'none'})`,
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
}

export function identityOf(execution: ExecutionRecord): ExecutionIdentity {
  return {
    pipelineName: execution.pipeline.name,
    pipelineArn: execution.pipeline.arn,
    executionArn: execution.arn,
    executionId: execution.id,
    startTime: execution.creationTime,
  };
}

/** The evaluated PipelineExperimentConfig of a starting execution. */
export function experimentConfigOf(
  execution: ExecutionRecord,
  clock: () => Date,
): ExecutionRecord['experimentConfig'] {
  const experiment = execution.compiled.definition.PipelineExperimentConfig;
  if (!experiment) return undefined;
  try {
    const scope = executionScope(identityOf(execution), execution.parameterValues, clock, () => {
      throw new EvaluationError('PipelineExperimentConfig cannot read step outputs');
    });
    const evaluated = evaluate(experiment as Json, scope) as Record<string, Json>;
    return Object.fromEntries(
      Object.entries(evaluated).map(([key, value]) => [key, String(value)]),
    );
  } catch (error) {
    throw new ValidationError(`PipelineExperimentConfig: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export const executionSummary = (e: ExecutionRecord): Output => ({
  PipelineExecutionArn: e.arn,
  StartTime: e.creationTime,
  PipelineExecutionStatus: e.status,
  PipelineExecutionDisplayName: e.displayName,
  ...(e.description !== undefined ? { PipelineExecutionDescription: e.description } : {}),
  ...(e.failureReason ? { PipelineExecutionFailureReason: e.failureReason } : {}),
});

export const stepView = (step: StepRecord): Output => ({
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
