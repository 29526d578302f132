/**
 * The local runtime with batches behind it, as `npm start` wires them: pipelines/ created,
 * Callback messages delivered (local/callback-delivery.ts) to batch-callback, child status
 * events delivered to batch-events as SQS events, the ledger in dynalite and results in the
 * local S3. Lambda steps run in process; a child's step can be slowed or made to fail once.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Context, SQSEvent } from 'aws-lambda';
import { createCallbackDelivery } from '../../local/callback-delivery';
import { localSageMakerClient, readPipelineDir, upsertPipeline } from '../../local/client';
import { EXECUTION_STATUS_CHANGE, type PipelineEvent } from '../../local/events';
import { type LocalRuntime, startLocalRuntime } from '../../local/index';
import { createInProcessInvoker } from '../../local/invokers/in-process';
import type { LambdaInvoker } from '../../local/invokers/types';
import { type LocalS3, startLocalS3 } from '../../local/s3';
import { configFromEnvironment } from '../../shared/config';
import { startDynalite } from '../batches/support/dynalite';
import { createLedgerTable, localDynamoDb } from '../batches/support/table';
import { lambdaContext } from '../support/lambda/events';

export const CALLBACK_QUEUE = 'sagemaker-pipeline-lambdas-dev-batch-callbacks';
const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];
const root = resolve(import.meta.dirname, '../..');

export interface FanInWorldOptions {
  /** Every Lambda step of a child pipeline takes at least this long. */
  childStepMs?: number;
  /** A child's Lambda step whose `items` argument contains this text fails the first time. */
  flaky?: string;
  /** Each Callback message is delivered this many times at once (SQS delivers at least once). */
  callbackCopies?: number;
}

const sqsEvent = (body: string): SQSEvent => ({
  Records: [
    {
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body,
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:local',
      awsRegion: 'us-east-1',
    },
  ],
});

/**
 * The batch handlers, loaded on first use: each module makes a default handler from the process
 * environment when it loads, so the test sets `BATCH_TABLE_NAME` (with `vi.hoisted`) first.
 */
const loadHandlers = async () => ({
  createCallbackHandler: (await import('../../functions/batch-callback/handler')).createHandler,
  createEventsHandler: (await import('../../functions/batch-events/handler')).createHandler,
  createReconcileHandler: (await import('../../functions/batch-reconcile/handler')).createHandler,
});
type Handlers = Awaited<ReturnType<typeof loadHandlers>>;

export async function startFanInWorld(options: FanInWorldOptions = {}) {
  const { createCallbackHandler, createEventsHandler, createReconcileHandler } =
    await loadHandlers();
  const dynalite = await startDynalite();
  const tableName = `fan-in-${randomUUID().slice(0, 8)}`;
  const ddb = localDynamoDb(dynalite.endpoint);
  await createLedgerTable(ddb, tableName);
  ddb.destroy();
  const s3: LocalS3 = await startLocalS3({
    accessKeys: [
      [process.env.AWS_ACCESS_KEY_ID ?? 'test', process.env.AWS_SECRET_ACCESS_KEY ?? 'test'],
    ],
  });
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const failures: string[] = [];
  const handlers: {
    callback?: ReturnType<Handlers['createCallbackHandler']>;
    events?: ReturnType<Handlers['createEventsHandler']>;
  } = {};
  const context: Context = lambdaContext();
  const seenFlaky = new Set<string>();
  const childSteps = (inner: LambdaInvoker): LambdaInvoker => ({
    description: inner.description,
    async invoke(request) {
      const payload = (request.payload ?? {}) as Record<string, unknown>;
      const fromChild = CHILDREN.some((name) =>
        String(payload.pipelineExecutionArn ?? '').includes(`:pipeline/${name}/`),
      );
      if (fromChild && options.childStepMs) {
        await new Promise((done) => setTimeout(done, options.childStepMs));
      }
      const key = `${request.functionArn}\n${String(payload.items)}`;
      if (fromChild && options.flaky && String(payload.items).includes(options.flaky)) {
        if (!seenFlaky.has(key)) {
          seenFlaky.add(key);
          return { ok: false, error: `ValidationError: ${options.flaky} fails the first time` };
        }
      }
      return inner.invoke(request);
    },
  });
  const local: LocalRuntime = await startLocalRuntime({
    invoker: (url) =>
      childSteps(
        createInProcessInvoker({
          env: { SAGEMAKER_ENDPOINT: url, FAN_OUT_ALLOWED_PIPELINES: CHILDREN.join(',') },
        }),
      ),
    callbackDelivery: createCallbackDelivery({
      consumes: (name) => name === CALLBACK_QUEUE,
      send: (_name, body) => {
        for (let copy = 0; copy < (options.callbackCopies ?? 1); copy++) {
          track(
            Promise.resolve().then(async () => {
              const result = await handlers.callback?.(sqsEvent(body), context);
              if (result?.batchItemFailures.length) failures.push(`callback: ${body}`);
            }),
          );
        }
      },
    }),
  });
  const config = configFromEnvironment({
    BATCH_TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    SAGEMAKER_ENDPOINT: local.url,
    FAN_OUT_ALLOWED_PIPELINES: CHILDREN.join(','),
    BATCH_RESULTS_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
  });
  handlers.callback = createCallbackHandler(config);
  handlers.events = createEventsHandler(config);
  const reconcile = createReconcileHandler(config);
  // What the EventBridge rule sends to the batch events queue: ended executions of the children.
  const unsubscribe = local.runtime.events.subscribe((event: PipelineEvent) => {
    const detail = event.detail as Record<string, unknown>;
    if (event['detail-type'] !== EXECUTION_STATUS_CHANGE) return;
    if (!['Succeeded', 'Failed', 'Stopped'].includes(String(detail.currentPipelineExecutionStatus)))
      return;
    if (!CHILDREN.some((name) => String(detail.pipelineArn).endsWith(`/${name}`))) return;
    track(
      Promise.resolve().then(async () => {
        const result = await handlers.events?.(sqsEvent(JSON.stringify(event)), context);
        if (result?.batchItemFailures.length) failures.push(`event: ${JSON.stringify(detail)}`);
      }),
    );
  });
  const client: SageMakerClient = localSageMakerClient(local.url);
  for (const pipeline of readPipelineDir(resolve(root, 'pipelines'))) {
    await upsertPipeline(client, pipeline);
  }
  return {
    local,
    client,
    s3,
    config,
    failures,
    reconcile: () => reconcile({}, context),
    /** Resolves when no delivery is in flight. */
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      unsubscribe();
      await Promise.allSettled([...inFlight]);
      client.destroy();
      await local.close();
      await s3.stop();
      await dynalite.stop();
    },
  };
}

export type FanInWorld = Awaited<ReturnType<typeof startFanInWorld>>;
