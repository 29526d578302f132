import { CreatePipelineCommand } from '@aws-sdk/client-sagemaker';
import { LOCAL_ROLE_ARN, localSageMakerClient } from '../../local/client';
import type { LambdaInvoker } from '../../local/invokers/types';
import { CHILD_FUNCTION, oneStepChildDefinition } from './definitions';

/** Creates each pipeline as a one-step child calling `CHILD_FUNCTION`, on the runtime at `url`. */
export const createChildPipelines = async (
  url: string,
  pipelines: readonly string[],
): Promise<void> => {
  const admin = localSageMakerClient(url);
  try {
    for (const pipeline of pipelines) {
      await admin.send(
        new CreatePipelineCommand({
          PipelineName: pipeline,
          PipelineDefinition: oneStepChildDefinition(CHILD_FUNCTION),
          RoleArn: LOCAL_ROLE_ARN,
          ClientRequestToken: `create-${pipeline}`.padEnd(32, '0'),
        }),
      );
    }
  } finally {
    admin.destroy();
  }
};

/** Invokes a function through `invoker` within `timeoutMs`: its answer, or an error naming it. */
export const invokeOrThrow =
  (invoker: LambdaInvoker, timeoutMs: number) =>
  async (functionArn: string, payload: unknown): Promise<unknown> => {
    const result = await invoker.invoke({
      functionArn,
      payload,
      timeoutMs,
      signal: new AbortController().signal,
    });
    if (!result.ok) throw new Error(`${functionArn} failed: ${result.error}`);
    return result.payload;
  };
