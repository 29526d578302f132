/**
 * A local runtime for the console's browser test and screenshots: the example pipelines of
 * pipelines/ plus `approval`, a pipeline with a Callback step whose outputs a Condition reads;
 * with `services`, also the local batch ledger and event delivery, and batches submitted through
 * the batch-api function in process.
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

/** A batch to submit: one child per (pipeline, item). */
export interface DemoBatch {
  items: unknown[];
  /** The batch's Idempotency-Key. */
  key: string;
  maxConcurrentExecutions: number;
  pipelines?: string[];
}

export interface ConsoleDemo {
  local: LocalRuntime;
  client: SageMakerClient;
  /** Submits a batch as `POST /batches` does (needs `services`); resolves to its id. */
  submitBatch(batch: DemoBatch): Promise<string>;
  close(): Promise<void>;
}

export interface ConsoleDemoOptions {
  port?: number;
  /** Runs before each function call; the call waits for it (a test holds a step this way). */
  beforeInvoke?(request: InvokeRequest): Promise<void>;
  /** Local services on: DynamoDB (the batch ledger), event delivery and schedules. */
  services?: boolean;
}

/** A batch-api `POST /batches` event, as API Gateway's HTTP API (payload 2.0) sends it. */
const postBatchEvent = (batch: DemoBatch) => ({
  version: '2.0',
  routeKey: 'POST /batches',
  rawPath: '/batches',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', 'idempotency-key': batch.key },
  requestContext: {
    accountId: '123456789012',
    apiId: 'local',
    domainName: '127.0.0.1',
    domainPrefix: 'local',
    http: {
      method: 'POST',
      path: '/batches',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'console-demo',
    },
    requestId: `console-demo-${batch.key}`,
    routeKey: 'POST /batches',
    stage: '$default',
    time: '01/Dec/2026:10:00:00 +0000',
    timeEpoch: 0,
  },
  isBase64Encoded: false,
  body: JSON.stringify({
    pipelines: batch.pipelines ?? CHILD_PIPELINES,
    items: batch.items,
    maxConcurrentExecutions: batch.maxConcurrentExecutions,
  }),
});

/** The console demo could not submit its batch. */
export class DemoBatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoBatchError';
  }
}

/** Starts a runtime (in-process functions) with the example pipelines and `approval` created. */
export async function startConsoleDemo(options: ConsoleDemoOptions = {}): Promise<ConsoleDemo> {
  const local = await startLocalRuntime({
    allowedPipelines: CHILD_PIPELINES.join(','),
    ...(options.services ? { services: {} } : {}),
    invoker: (url, wiring) => {
      const functions = createInProcessInvoker({
        catalog: wiring.catalog,
        env: {
          SAGEMAKER_ENDPOINT: url,
          FAN_OUT_ALLOWED_PIPELINES: CHILD_PIPELINES.join(','),
          ...wiring.env,
        },
        defaultEnv: {
          ...LOCAL_AWS_ENV,
          ...QUIET_HANDLER_ENV,
          ...(options.services ? { POWERTOOLS_LOG_LEVEL: 'SILENT' } : {}),
        },
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
    async submitBatch(batch) {
      const result = await local.runtime.invoker.invoke({
        functionArn: 'batch-api',
        payload: postBatchEvent(batch),
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
      if (!result.ok) throw new DemoBatchError(`batch-api failed: ${result.error}`);
      const answer = result.payload as { statusCode: number; body: string };
      const body = JSON.parse(answer.body) as { batchId?: string; detail?: string };
      if (answer.statusCode >= 300 || typeof body.batchId !== 'string')
        throw new DemoBatchError(`batch-api answered ${answer.statusCode}: ${answer.body}`);
      return body.batchId;
    },
    async close() {
      client.destroy();
      await local.close();
    },
  };
}
