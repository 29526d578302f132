import type {
  ListPipelineExecutionsCommandInput,
  ListPipelineExecutionsCommandOutput,
  StartPipelineExecutionCommandInput,
  StartPipelineExecutionCommandOutput,
} from '@aws-sdk/client-sagemaker';

/**
 * The two SageMaker operations the fan-out uses. The runner depends on this narrow
 * interface only: Lambda handlers pass {@link sageMakerPort} over the module's client,
 * tests a mock, the local runtime and benchmarks their own client.
 */
export interface FanOutSageMaker {
  startPipelineExecution(
    input: StartPipelineExecutionCommandInput,
    options?: { abortSignal?: AbortSignal },
  ): Promise<Pick<StartPipelineExecutionCommandOutput, 'PipelineExecutionArn' | '$metadata'>>;
  listPipelineExecutions(
    input: ListPipelineExecutionsCommandInput,
    options?: { abortSignal?: AbortSignal },
  ): Promise<Pick<ListPipelineExecutionsCommandOutput, 'PipelineExecutionSummaries' | 'NextToken'>>;
}
