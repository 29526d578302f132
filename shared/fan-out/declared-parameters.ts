import type { FieldProblem } from '../errors';
import type { Logger } from '../logger';
import { classifyError, errorName } from './classify';
import type { FanOutSageMaker } from './sagemaker';

/**
 * The parameter names a pipeline definition declares (`Parameters[].Name`, pipeline
 * definition JSON schema, aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema),
 * or undefined when the definition is absent or not JSON.
 */
export function declaredParameters(definition: string | undefined): Set<string> | undefined {
  if (definition === undefined || definition === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const parameters = (parsed as { Parameters?: unknown }).Parameters ?? [];
  if (!Array.isArray(parameters)) return undefined;
  const names = new Set<string>();
  for (const parameter of parameters) {
    const name = (parameter as { Name?: unknown } | null)?.Name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

/** What {@link undeclaredParameters} needs. */
export interface DeclaredParametersDeps {
  sagemaker: FanOutSageMaker;
  abortSignal?: AbortSignal;
  log: Pick<Logger, 'warn'>;
}

/**
 * Reads each child pipeline's definition once (`DescribePipeline`) and names every
 * requested parameter it does not declare. StartPipelineExecution rejects such a request
 * with a ValidationException (issue 14 observed it, one doomed call per item); checked
 * here once per pipeline, before anything starts. A pipeline that cannot be described
 * (missing, denied, throttled) is left to the start phase, which reports its error.
 * @returns the problems, empty when every parameter is declared.
 */
export async function undeclaredParameters(
  pipelines: readonly string[],
  names: readonly string[],
  deps: DeclaredParametersDeps,
): Promise<FieldProblem[]> {
  const perPipeline = await Promise.all(
    pipelines.map(async (pipeline, p): Promise<FieldProblem[]> => {
      let declared: Set<string> | undefined;
      try {
        const response = await deps.sagemaker.describePipeline(
          { PipelineName: pipeline },
          deps.abortSignal ? { abortSignal: deps.abortSignal } : undefined,
        );
        declared = declaredParameters(response?.PipelineDefinition);
      } catch (error) {
        deps.log.warn('Could not read the pipeline definition before starting', {
          pipeline,
          errorName: errorName(error),
          errorClass: classifyError(error),
        });
        return [];
      }
      if (declared === undefined) return [];
      const known = declared;
      const missing = names.filter((name) => !known.has(name));
      if (missing.length === 0) return [];
      const list = [...known].sort().join(', ') || 'none';
      return missing.map((name) => ({
        field: `parameters.${name}`,
        problem: `not declared by pipeline ${JSON.stringify(pipeline)} (pipelines[${p}]), which declares: ${list}`,
      }));
    }),
  );
  return perPipeline.flat();
}
