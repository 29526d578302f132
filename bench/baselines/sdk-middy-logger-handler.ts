/**
 * Baseline for fan-out bundles (issue 9): what every fan-out function must carry before any fan-out
 * code. The SageMaker client created at module load, wrapped in middy with the Powertools Logger and
 * `injectLambdaContext`, as the functions are.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import middy from '@middy/core';

const logger = new Logger({ serviceName: 'bench-sdk-middy-logger' });
const client = new SageMakerClient({});

export const handler = middy(async (event: { PipelineName: string }) =>
  client.send(new StartPipelineExecutionCommand({ PipelineName: event.PipelineName })),
).use(injectLambdaContext(logger));
