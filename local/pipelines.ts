/** Pipelines: their records and the CreatePipeline ... DeletePipeline operations. */

import { type CompiledDefinition, compileDefinition, DefinitionError } from './engine/definition';
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from './errors';
import { createdWithin, type Input, listPage, type Output } from './paging';

/**
 * SageMaker's default quota "Maximum number of pipelines allowed per account": 500 (listed in the
 * SageMaker Developer Guide, feature-store-feature-processor-quotas.html; Service Quotas shows the
 * value of an account).
 */
export const DEFAULT_MAX_PIPELINES = 500;

/**
 * One version of a pipeline: CreatePipeline makes version 1 and each UpdatePipeline the next
 * (UpdatePipeline returns its PipelineVersionId; ListPipelineVersions lists them:
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdatePipeline.html,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineVersions.html).
 */
export interface PipelineVersion {
  id: number;
  definition: string;
  compiled: CompiledDefinition;
  creationTime: Date;
  lastExecutionArn?: string;
}

export interface PipelineRecord {
  name: string;
  arn: string;
  displayName: string;
  description?: string;
  roleArn: string;
  definition: string;
  compiled: CompiledDefinition;
  parallelism?: { MaxParallelExecutionSteps: number };
  creationTime: Date;
  lastModifiedTime: Date;
  lastRunTime?: Date;
  /** The latest version's id; `definition` and `compiled` are that version's. */
  versionId: number;
  versions: Map<number, PipelineVersion>;
  createToken: string;
  /** Creation order, the tie-break of listings. */
  seq: number;
}

/**
 * The version a request names (PipelineVersionId), or the latest.
 * @throws NotFoundError for a version the pipeline does not have.
 */
export function pipelineVersion(pipeline: PipelineRecord, versionId: unknown): PipelineVersion {
  const id = versionId === undefined ? pipeline.versionId : versionId;
  const version = typeof id === 'number' ? pipeline.versions.get(id) : undefined;
  if (!version) {
    // Not published; ResourceNotFound is in the error lists of the operations that take a version.
    throw new NotFoundError(
      `Pipeline version ${String(id)} of pipeline '${pipeline.name}' does not exist (versions: 1 to ${pipeline.versionId}).`,
    );
  }
  return version;
}

/** A pipeline as ListPipelines shows it. */
function pipelineSummary(p: PipelineRecord): Output {
  return {
    PipelineArn: p.arn,
    PipelineName: p.name,
    PipelineDisplayName: p.displayName,
    ...(p.description !== undefined ? { PipelineDescription: p.description } : {}),
    RoleArn: p.roleArn,
    CreationTime: p.creationTime,
    LastModifiedTime: p.lastModifiedTime,
    ...(p.lastRunTime ? { LastExecutionTime: p.lastRunTime } : {}),
  };
}

/**
 * Checks a definition as CreatePipeline and UpdatePipeline do.
 * @throws ValidationError naming the problem.
 */
export function compilePipelineDefinition(
  definition: unknown,
  s3Location: unknown,
): { text: string; compiled: CompiledDefinition } {
  if (s3Location !== undefined) {
    throw new ValidationError(
      'PipelineDefinitionS3Location is not supported by the local runtime: pass the definition in PipelineDefinition',
    );
  }
  if (typeof definition !== 'string') {
    throw new ValidationError(
      'Either PipelineDefinition or PipelineDefinitionS3Location is required',
    );
  }
  try {
    return { text: definition, compiled: compileDefinition(definition) };
  } catch (error) {
    if (error instanceof DefinitionError) {
      throw new ValidationError(`Invalid pipeline definition: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export interface PipelineContext {
  /** Pipelines by lower-case name (names are unique regardless of case, as in ARNs). */
  pipelines: Map<string, PipelineRecord>;
  clock: () => Date;
  maxPipelines: number;
  find(nameOrArn: unknown): PipelineRecord;
  arnOf(name: string): string;
  /** A number larger than every one returned before (creation order). */
  nextSeq(): number;
  /** Executions of the pipeline that are Executing or Stopping. */
  runningExecutions(pipeline: PipelineRecord): number;
  /** Called before a pipeline is deleted, to drop its executions. */
  onDelete(pipeline: PipelineRecord): void;
}

/** CreatePipeline, UpdatePipeline, DescribePipeline, ListPipelines, ListPipelineVersions, DeletePipeline. */
export function pipelineOperations(
  context: PipelineContext,
): Record<
  | 'CreatePipeline'
  | 'UpdatePipeline'
  | 'DescribePipeline'
  | 'ListPipelines'
  | 'ListPipelineVersions'
  | 'DeletePipeline',
  (input: Input) => Output
> {
  const deleteTokens = new Map<string, string>();
  return {
    CreatePipeline(input) {
      const name = String(input.PipelineName);
      const existing = context.pipelines.get(name.toLowerCase());
      if (existing) {
        if (existing.createToken === input.ClientRequestToken) return { PipelineArn: existing.arn };
        throw new ValidationError(
          `Pipeline names must be unique within an AWS account and region. Pipeline with name (${name}) already exists.`,
        );
      }
      if (context.pipelines.size >= context.maxPipelines) {
        throw new LimitExceededError(
          `The account-level service limit 'Maximum number of pipelines allowed per account' is ${context.maxPipelines} pipelines.`,
        );
      }
      const { text, compiled } = compilePipelineDefinition(
        input.PipelineDefinition,
        input.PipelineDefinitionS3Location,
      );
      const now = context.clock();
      const record: PipelineRecord = {
        name,
        arn: context.arnOf(name),
        displayName:
          typeof input.PipelineDisplayName === 'string' ? input.PipelineDisplayName : name,
        ...(typeof input.PipelineDescription === 'string'
          ? { description: input.PipelineDescription }
          : {}),
        roleArn: String(input.RoleArn),
        definition: text,
        compiled,
        ...(input.ParallelismConfiguration
          ? { parallelism: input.ParallelismConfiguration as { MaxParallelExecutionSteps: number } }
          : {}),
        creationTime: now,
        lastModifiedTime: now,
        versionId: 1,
        versions: new Map([[1, { id: 1, definition: text, compiled, creationTime: now }]]),
        createToken: String(input.ClientRequestToken),
        seq: context.nextSeq(),
      };
      context.pipelines.set(name.toLowerCase(), record);
      return { PipelineArn: record.arn };
    },
    UpdatePipeline(input) {
      const pipeline = context.find(input.PipelineName);
      if (
        input.PipelineDefinition !== undefined ||
        input.PipelineDefinitionS3Location !== undefined
      ) {
        const { text, compiled } = compilePipelineDefinition(
          input.PipelineDefinition,
          input.PipelineDefinitionS3Location,
        );
        pipeline.definition = text;
        pipeline.compiled = compiled;
      }
      if (typeof input.PipelineDisplayName === 'string')
        pipeline.displayName = input.PipelineDisplayName;
      if (typeof input.PipelineDescription === 'string')
        pipeline.description = input.PipelineDescription;
      if (typeof input.RoleArn === 'string') pipeline.roleArn = input.RoleArn;
      if (input.ParallelismConfiguration) {
        pipeline.parallelism = input.ParallelismConfiguration as {
          MaxParallelExecutionSteps: number;
        };
      }
      pipeline.versionId += 1;
      pipeline.lastModifiedTime = context.clock();
      pipeline.versions.set(pipeline.versionId, {
        id: pipeline.versionId,
        definition: pipeline.definition,
        compiled: pipeline.compiled,
        creationTime: pipeline.lastModifiedTime,
      });
      return { PipelineArn: pipeline.arn, PipelineVersionId: pipeline.versionId };
    },
    DescribePipeline(input) {
      const p = context.find(input.PipelineName);
      const version = pipelineVersion(p, input.PipelineVersionId);
      return {
        PipelineArn: p.arn,
        PipelineName: p.name,
        PipelineDisplayName: p.displayName,
        PipelineDefinition: version.definition,
        ...(p.description !== undefined ? { PipelineDescription: p.description } : {}),
        RoleArn: p.roleArn,
        PipelineStatus: 'Active',
        CreationTime: p.creationTime,
        LastModifiedTime: p.lastModifiedTime,
        ...(p.lastRunTime ? { LastRunTime: p.lastRunTime } : {}),
        ...(p.parallelism ? { ParallelismConfiguration: p.parallelism } : {}),
      };
    },
    ListPipelines(input) {
      const prefix =
        typeof input.PipelineNamePrefix === 'string' ? input.PipelineNamePrefix.toLowerCase() : '';
      const created = createdWithin(input);
      const list = [...context.pipelines.values()].filter(
        (p) => p.name.toLowerCase().startsWith(prefix) && created(p),
      );
      return listPage(input, {
        member: 'PipelineSummaries',
        items: list,
        key: (p) => [input.SortBy === 'Name' ? p.name : p.creationTime.getTime(), p.seq],
        view: pipelineSummary,
      });
    },
    ListPipelineVersions(input) {
      const pipeline = context.find(input.PipelineName);
      return listPage(input, {
        member: 'PipelineVersionSummaries',
        items: [...pipeline.versions.values()].filter(createdWithin(input)),
        key: (v) => [v.creationTime.getTime(), v.id],
        view: (v) => ({
          PipelineArn: pipeline.arn,
          PipelineVersionId: v.id,
          CreationTime: v.creationTime,
          ...(v.lastExecutionArn ? { LastExecutionPipelineExecutionArn: v.lastExecutionArn } : {}),
        }),
      });
    },
    DeletePipeline(input) {
      const name = String(input.PipelineName).toLowerCase();
      const token = `${name}\n${String(input.ClientRequestToken)}`;
      const deleted = deleteTokens.get(token);
      if (deleted && !context.pipelines.has(name)) return { PipelineArn: deleted };
      const pipeline = context.find(input.PipelineName);
      const running = context.runningExecutions(pipeline);
      // "Deletes a pipeline if there are no running instances of the pipeline. To delete a
      // pipeline, you must stop all running instances of the pipeline using the
      // StopPipelineExecution API." (API_DeletePipeline.html; ConflictException is in its errors.)
      if (running > 0) {
        throw new ConflictError(
          `Pipeline '${pipeline.name}' has ${running} running execution${running === 1 ? '' : 's'}: stop ${running === 1 ? 'it' : 'them'} with StopPipelineExecution before deleting the pipeline.`,
        );
      }
      context.onDelete(pipeline);
      context.pipelines.delete(name);
      deleteTokens.set(token, pipeline.arn);
      return { PipelineArn: pipeline.arn };
    },
  };
}
