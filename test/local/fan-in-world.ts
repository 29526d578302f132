/**
 * The local runtime as `npm start` runs it, for fan-in: the functions in process, local mode's
 * services from serverless.yml (dynalite, the rule and queues delivering status events to
 * batch-events and Callback messages to batch-callback, s3rver for the results), and every
 * pipeline of pipelines/. A child's Lambda step can be slowed or made to fail once.
 */
import { resolve } from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { callbackMessageBody } from '../../local/callback-delivery';
import { localSageMakerClient, readPipelineDir, upsertPipeline } from '../../local/client';
import {
  createInProcessInvoker,
  type LocalRuntime,
  QUIET_HANDLER_ENV,
  startLocalRuntime,
} from '../../local/index';
import { LOCAL_AWS_ENV } from '../../local/invokers/in-process';
import type { LambdaInvoker } from '../../local/invokers/types';

export const CALLBACK_QUEUE = 'sagemaker-pipeline-lambdas-dev-batch-callbacks';
const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];
const root = resolve(import.meta.dirname, '../..');

export interface FanInWorldOptions {
  /** Every Lambda step of a child pipeline takes at least this long. */
  childStepMs?: number;
  /** A child's Lambda step whose `items` argument contains this text fails the first time. */
  flaky?: string;
}

export async function startFanInWorld(options: FanInWorldOptions = {}) {
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
    allowedPipelines: CHILDREN.join(','),
    // Longer than a cold handler takes, so no message is delivered again while in flight.
    services: { scheduleEveryMs: 0, visibilityTimeoutMs: 3_000 },
    invoker: (url, wiring) =>
      childSteps(
        createInProcessInvoker({
          catalog: wiring.catalog,
          env: {
            SAGEMAKER_ENDPOINT: url,
            FAN_OUT_ALLOWED_PIPELINES: CHILDREN.join(','),
            ...wiring.env,
          },
          defaultEnv: { ...LOCAL_AWS_ENV, ...QUIET_HANDLER_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT' },
        }),
      ),
  });
  const services = local.services;
  if (services?.s3 === undefined) throw new Error('local mode started without its services');
  const client: SageMakerClient = localSageMakerClient(local.url);
  for (const pipeline of readPipelineDir(resolve(root, 'pipelines'))) {
    await upsertPipeline(client, pipeline);
  }
  return {
    local,
    client,
    s3: services.s3,
    delivery: services.delivery,
    /** Delivers the waiting Callback message of `parentArn` again, as SQS may. */
    redeliverCallback(parentArn: string): boolean {
      const waiting = local.runtime
        .callbacks()
        .find((callback) => callback.pipelineExecutionArn === parentArn);
      if (waiting === undefined) return false;
      services.delivery.deliverToQueue(CALLBACK_QUEUE, callbackMessageBody(waiting));
      return true;
    },
    async close() {
      await services.delivery.idle();
      client.destroy();
      await local.close();
    },
  };
}

export type FanInWorld = Awaited<ReturnType<typeof startFanInWorld>>;
