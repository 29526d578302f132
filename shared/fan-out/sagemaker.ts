import type {
  DescribePipelineCommandInput,
  DescribePipelineCommandOutput,
  ListPipelineExecutionsCommandInput,
  ListPipelineExecutionsCommandOutput,
  StartPipelineExecutionCommandInput,
  StartPipelineExecutionCommandOutput,
} from '@aws-sdk/client-sagemaker';

/** Options of one call through the port. */
export interface FanOutCallOptions {
  abortSignal?: AbortSignal;
  /**
   * Told of each retry the client makes on its own inside this call (the SDK's retries), once
   * per retry, as it is sent, with the error of the attempt it repeats. The caller learns why
   * each attempt failed, which `$metadata.attempts` does not say. A port whose client does
   * not retry never calls it.
   */
  onRetry?: (error: unknown) => void;
}

/**
 * The three SageMaker operations the fan-out uses. The runner depends on this narrow
 * interface only: Lambda handlers pass {@link sageMakerPort} over the module's client,
 * tests a mock, the local runtime and benchmarks their own client.
 */
export interface FanOutSageMaker {
  startPipelineExecution(
    input: StartPipelineExecutionCommandInput,
    options?: FanOutCallOptions,
  ): Promise<Pick<StartPipelineExecutionCommandOutput, 'PipelineExecutionArn' | '$metadata'>>;
  listPipelineExecutions(
    input: ListPipelineExecutionsCommandInput,
    options?: FanOutCallOptions,
  ): Promise<Pick<ListPipelineExecutionsCommandOutput, 'PipelineExecutionSummaries' | 'NextToken'>>;
  /** Read once per pipeline before any start, for the parameters its definition declares. */
  describePipeline(
    input: DescribePipelineCommandInput,
    options?: FanOutCallOptions,
  ): Promise<Pick<DescribePipelineCommandOutput, 'PipelineDefinition'> | undefined>;
}
