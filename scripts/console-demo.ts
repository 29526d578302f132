/**
 * A local runtime for the console's browser test and screenshots: the example pipelines of
 * pipelines/ plus `approval`, a pipeline with a Callback step whose outputs a Condition reads.
 */
import { resolve } from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreatePipelineCommand } from '@aws-sdk/client-sagemaker';
import {
  LOCAL_ROLE_ARN,
  localSageMakerClient,
  readPipelineDir,
  upsertPipeline,
} from '../local/client';
import {
  createInProcessInvoker,
  type InvokeRequest,
  type LocalRuntime,
  QUIET_HANDLER_ENV,
  startLocalRuntime,
} from '../local/index';
import { LOCAL_AWS_ENV } from '../local/invokers/in-process';

const CONCAT =
  'arn:aws:lambda:us-east-1:123456789012:function:sagemaker-pipeline-lambdas-dev-concat';

/** Prepare (Lambda) -> Approve (Callback) -> Approved? (Condition) -> Publish | Rejected (Fail). */
export const APPROVAL_PIPELINE = {
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [{ Name: 'Model', Type: 'String', DefaultValue: 'churn' }],
  Steps: [
    {
      Name: 'Prepare',
      Type: 'Lambda',
      FunctionArn: CONCAT,
      Arguments: { str1: { Get: 'Parameters.Model' }, str2: '-candidate' },
      OutputParameters: [{ OutputName: 'str3', OutputType: 'String' }],
    },
    {
      Name: 'Approve',
      Type: 'Callback',
      SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/approvals',
      Arguments: {
        candidate: { Get: "Steps.Prepare.OutputParameters['str3']" },
        requestedBy: { Get: 'Execution.PipelineExecutionId' },
      },
      OutputParameters: [
        { OutputName: 'approved', OutputType: 'Boolean' },
        { OutputName: 'score', OutputType: 'Integer' },
        { OutputName: 'note', OutputType: 'String' },
      ],
    },
    {
      Name: 'Approved',
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            Type: 'Equals',
            LeftValue: { Get: "Steps.Approve.OutputParameters['approved']" },
            RightValue: true,
          },
        ],
        IfSteps: [
          {
            Name: 'Publish',
            Type: 'Lambda',
            FunctionArn: CONCAT,
            Arguments: {
              str1: { Get: "Steps.Prepare.OutputParameters['str3']" },
              str2: { Get: "Steps.Approve.OutputParameters['note']" },
            },
            OutputParameters: [{ OutputName: 'str3', OutputType: 'String' }],
          },
        ],
        ElseSteps: [
          {
            Name: 'Rejected',
            Type: 'Fail',
            Arguments: {
              ErrorMessage: {
                'Std:Join': {
                  On: ' ',
                  Values: ['Not approved:', { Get: "Steps.Approve.OutputParameters['note']" }],
                },
              },
            },
          },
        ],
      },
    },
  ],
};

export const CHILD_PIPELINES = ['child-pipeline-1', 'child-pipeline-2'];

export interface ConsoleDemo {
  local: LocalRuntime;
  client: SageMakerClient;
  close(): Promise<void>;
}

export interface ConsoleDemoOptions {
  port?: number;
  /** Runs before each function call; the call waits for it (a test holds a step this way). */
  beforeInvoke?(request: InvokeRequest): Promise<void>;
}

/** Starts a runtime (in-process functions) with the example pipelines and `approval` created. */
export async function startConsoleDemo(options: ConsoleDemoOptions = {}): Promise<ConsoleDemo> {
  const local = await startLocalRuntime({
    invoker: (url) => {
      const functions = createInProcessInvoker({
        env: { SAGEMAKER_ENDPOINT: url, FAN_OUT_ALLOWED_PIPELINES: CHILD_PIPELINES.join(',') },
        defaultEnv: { ...LOCAL_AWS_ENV, ...QUIET_HANDLER_ENV },
      });
      return {
        description: functions.description,
        async invoke(request) {
          await options.beforeInvoke?.(request);
          return functions.invoke(request);
        },
      };
    },
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const client = localSageMakerClient(local.url);
  for (const pipeline of readPipelineDir(resolve(import.meta.dirname, '../pipelines')))
    await upsertPipeline(client, pipeline);
  await client.send(
    new CreatePipelineCommand({
      PipelineName: 'approval',
      PipelineDescription: 'A Callback step waits for a person to approve the candidate',
      PipelineDefinition: JSON.stringify(APPROVAL_PIPELINE),
      RoleArn: LOCAL_ROLE_ARN,
      ClientRequestToken: 'console-demo-approval-000000000001',
    }),
  );
  return {
    local,
    client,
    async close() {
      client.destroy();
      await local.close();
    },
  };
}
