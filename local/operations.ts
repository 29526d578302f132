/** The SageMaker operations the local runtime serves, and the refusal of any other. */
import { UnsupportedOperationError } from './errors';

export const SUPPORTED_OPERATIONS = [
  'CreatePipeline',
  'UpdatePipeline',
  'DescribePipeline',
  'ListPipelines',
  'ListPipelineVersions',
  'DeletePipeline',
  'StartPipelineExecution',
  'DescribePipelineExecution',
  'ListPipelineExecutions',
  'ListPipelineExecutionSteps',
  'ListPipelineParametersForExecution',
  'DescribePipelineDefinitionForExecution',
  'StopPipelineExecution',
  'RetryPipelineExecution',
  'SendPipelineExecutionStepSuccess',
  'SendPipelineExecutionStepFailure',
] as const;

export type SupportedOperation = (typeof SUPPORTED_OPERATIONS)[number];

const supported: ReadonlySet<string> = new Set(SUPPORTED_OPERATIONS);

export function isSupportedOperation(operation: string): operation is SupportedOperation {
  return supported.has(operation);
}

/** The error for an operation the runtime does not serve, listing those it does. */
export function unsupportedOperation(operation: string): UnsupportedOperationError {
  return new UnsupportedOperationError(
    `Operation ${operation} is not supported by the local SageMaker runtime (supported: ${SUPPORTED_OPERATIONS.join(', ')})`,
  );
}
