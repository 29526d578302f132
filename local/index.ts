/**
 * The embeddable local SageMaker Pipelines runtime: `startLocalRuntime()` serves SageMaker's API
 * on 127.0.0.1 and runs pipeline executions with this project's Lambda functions.
 */
import { startApiServer } from './api/server';
import { createCallbackDelivery } from './callback-delivery';
import type { CallbackDelivery } from './callbacks';
import { type BatchReader, createBatchReader } from './console/batch-reader';
import { type FunctionCatalog, loadFunctionCatalog, PROJECT_ROOT } from './invokers/catalog';
import { createInProcessInvoker, LOCAL_AWS_ENV } from './invokers/in-process';
import type { LambdaInvoker } from './invokers/types';
import { createWorkerThreadInvoker, type WorkerThreadInvoker } from './invokers/worker-thread';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime';
import { type LocalServices, type LocalServicesOptions, startLocalServices } from './wiring';

export type { PipelineEvent } from './events';
export { EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE } from './events';
export { type FunctionCatalog, loadFunctionCatalog } from './invokers/catalog';
export {
  createInProcessInvoker,
  type LambdaHandler,
  QUIET_HANDLER_ENV,
} from './invokers/in-process';
export { createLambdaClientInvoker } from './invokers/lambda-client';
export type { InvokeRequest, InvokeResult, LambdaInvoker } from './invokers/types';
export { createWorkerThreadInvoker, type WorkerThreadInvoker } from './invokers/worker-thread';
export type { Knobs } from './knobs';
export type { ExecutionSpan, Runtime, RuntimeOptions } from './runtime';
export type { Delivery, EventInterceptor, LocalServices, LocalServicesOptions } from './wiring';

/** What local mode's services give the functions: a catalog whose environment is resolved locally. */
export interface LocalWiring {
  /** The project's catalog, each function's environment with serverless.yml's `!Ref`s resolved. */
  catalog: FunctionCatalog;
  /** For every function: `DYNAMODB_ENDPOINT` (dynalite), as `env` of an invoker. */
  env: Record<string, string>;
}

export interface LocalRuntimeOptions extends Omit<RuntimeOptions, 'invoker'> {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Runs Lambda steps. A function receives the runtime's URL (for handlers that call SageMaker
   * back, like fan-out). Default: in-process handlers with SAGEMAKER_ENDPOINT set to the runtime.
   */
  invoker?: LambdaInvoker | ((endpoint: string, wiring: LocalWiring) => LambdaInvoker);
  /** Child pipelines the fan-out function may start (default: every pipeline, `*`). */
  allowedPipelines?: string;
  /** Environment for in-process handlers where not already set (e.g. QUIET_HANDLER_ENV). */
  handlerDefaults?: Record<string, string>;
  /**
   * Runs the default invoker's functions on a worker thread (local/invokers/worker-thread.ts), so
   * they and the runtime use two cores instead of sharing one thread (default false).
   */
  functionsOnWorkerThread?: boolean;
  /**
   * serverless.yml's DynamoDB tables (in dynalite), EventBridge rules, SQS queues and schedules,
   * delivering status events to the functions; `false` turns them off. Default on with the
   * runtime's own invoker; with an `invoker` of the caller's, off unless given (`services: {}`),
   * since only an invoker made with the {@link LocalWiring} points the functions at dynalite.
   */
  services?: false | LocalServicesOptions;
  /** The project whose serverless.yml and functions/ are used (default this one). */
  root?: string;
  stage?: string;
}

export interface LocalRuntime {
  url: string;
  port: number;
  runtime: Runtime;
  /** Undefined when started with `services: false`. */
  services: LocalServices | undefined;
  close(): Promise<void>;
}

/** Starts the runtime and its HTTP server; `close()` stops both. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  let invoker: LambdaInvoker | undefined;
  // The invoker may need the server's URL, which exists only once it listens.
  const lateInvoker: LambdaInvoker = {
    get description() {
      return invoker?.description ?? 'not started';
    },
    invoke: (request) => {
      if (!invoker) return Promise.resolve({ ok: false, error: 'local runtime is not started' });
      return invoker.invoke(request);
    },
  };
  // Callback messages go to the function consuming their queue once the services run.
  let deliverCallback: CallbackDelivery | undefined;
  const runtime = createRuntime({
    ...options,
    invoker: lateInvoker,
    callbackDelivery: (message) =>
      (deliverCallback?.(message) ?? false) || (options.callbackDelivery?.(message) ?? false),
  });
  let batches: BatchReader | undefined;
  const server = await startApiServer({
    runtime,
    console: { batches: () => batches },
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 0,
    ...(options.random ? { random: options.random } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const allowedPipelines = options.allowedPipelines ?? '*';
  const root = options.root ?? PROJECT_ROOT;
  const baseCatalog = loadFunctionCatalog({
    root,
    ...(options.stage ? { stage: options.stage } : {}),
  });
  let services: LocalServices | undefined;
  try {
    services =
      options.services === false ||
      (options.services === undefined && options.invoker !== undefined)
        ? undefined
        : await startLocalServices({
            ...options.services,
            // The batch rule and IAM follow the allow-list, as on AWS.
            params: { allowedPipelines, ...options.services?.params },
            root,
            ...(options.stage ? { stage: options.stage } : {}),
            account: { region: runtime.region, accountId: runtime.accountId },
            invoker: lateInvoker,
            events: runtime.events,
            timeoutMs: (key) => baseCatalog.timeoutMs(key),
            ...(options.log ? { log: options.log } : {}),
          });
  } catch (error) {
    runtime.close();
    await server.close();
    throw error;
  }
  const local = services;
  if (local) {
    deliverCallback = createCallbackDelivery(
      {
        consumes: (name) => local.delivery.queues.get(name)?.consumedBy !== undefined,
        send: (name, body) => {
          local.delivery.deliverToQueue(name, body);
        },
      },
      options.log,
    );
  }
  // The console reads the table the batch functions write (their BATCH_TABLE_NAME).
  const ledgerTable = local?.environment('batch-api').BATCH_TABLE_NAME;
  if (local?.dynamoDb && ledgerTable) {
    batches = createBatchReader({
      endpoint: local.dynamoDb.endpoint,
      region: runtime.region,
      tableName: ledgerTable,
    });
  }
  const wiring: LocalWiring = {
    catalog: local
      ? {
          ...baseCatalog,
          environment: (key) => ({ ...baseCatalog.environment(key), ...local.environment(key) }),
        }
      : baseCatalog,
    env: local?.env ?? {},
  };
  let functionsWorker: WorkerThreadInvoker | undefined;
  if (typeof options.invoker === 'function') invoker = options.invoker(server.url, wiring);
  else if (options.invoker) invoker = options.invoker;
  else {
    const invokerOptions = {
      catalog: wiring.catalog,
      env: {
        SAGEMAKER_ENDPOINT: server.url,
        FAN_OUT_ALLOWED_PIPELINES: allowedPipelines,
        ...wiring.env,
      },
      defaultEnv: { ...LOCAL_AWS_ENV, ...options.handlerDefaults },
      region: runtime.region,
      accountId: runtime.accountId,
    };
    if (options.functionsOnWorkerThread) {
      functionsWorker = createWorkerThreadInvoker(invokerOptions);
      invoker = functionsWorker;
    } else invoker = createInProcessInvoker(invokerOptions);
  }
  return {
    url: server.url,
    port: server.port,
    runtime,
    services,
    async close() {
      services?.delivery.close();
      batches?.close();
      runtime.close();
      await functionsWorker?.close();
      await server.close();
      await services?.close();
    },
  };
}
