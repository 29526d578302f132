/**
 * Baseline for fan-out bundles: only the SageMaker client and StartPipelineExecutionCommand,
 * the client created at module load as a fan-out function does.
 */
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';

const client = new SageMakerClient({});

export const handler = async (event: { PipelineName: string }) =>
  client.send(new StartPipelineExecutionCommand({ PipelineName: event.PipelineName }));
