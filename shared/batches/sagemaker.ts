import {
  DescribePipelineExecutionCommand,
  type DescribePipelineExecutionCommandInput,
  type DescribePipelineExecutionCommandOutput,
  type SageMakerClient,
  StartPipelineExecutionCommand,
  type StartPipelineExecutionCommandInput,
  type StartPipelineExecutionCommandOutput,
} from '@aws-sdk/client-sagemaker';

/** The two SageMaker operations batches use. Handlers pass {@link batchSageMakerPort}; tests a fake. */
export interface BatchSageMaker {
  startPipelineExecution(
    input: StartPipelineExecutionCommandInput,
  ): Promise<Pick<StartPipelineExecutionCommandOutput, 'PipelineExecutionArn'>>;
  describePipelineExecution(
    input: DescribePipelineExecutionCommandInput,
  ): Promise<
    Pick<
      DescribePipelineExecutionCommandOutput,
      'PipelineExecutionStatus' | 'FailureReason' | 'PipelineExecutionArn'
    >
  >;
}

/** Adapts a SageMaker client (the fan-out's, with its adaptive retries) to the port. */
export const batchSageMakerPort = (client: SageMakerClient): BatchSageMaker => ({
  startPipelineExecution: (input) => client.send(new StartPipelineExecutionCommand(input)),
  describePipelineExecution: (input) => client.send(new DescribePipelineExecutionCommand(input)),
});
