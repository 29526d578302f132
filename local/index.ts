/**
 * The embeddable local SageMaker Pipelines runtime: `startLocalRuntime()` serves SageMaker's API
 * on 127.0.0.1 and runs pipeline executions with this project's Lambda functions.
 */
import { startApiServer } from './api/server';
import { createInProcessInvoker, LOCAL_AWS_ENV } from './invokers/in-process';
import type { LambdaInvoker } from './invokers/types';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime';

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
export type { Knobs } from './knobs';
export type { Runtime, RuntimeOptions } from './runtime';

export interface LocalRuntimeOptions extends Omit<RuntimeOptions, 'invoker'> {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Runs Lambda steps. A function receives the runtime's URL (for handlers that call SageMaker
   * back, like fan-out). Default: in-process handlers with SAGEMAKER_ENDPOINT set to the runtime.
   */
  invoker?: LambdaInvoker | ((endpoint: string) => LambdaInvoker);
  /** Child pipelines the fan-out function may start (default: every pipeline, `*`). */
  allowedPipelines?: string;
  /** Environment for in-process handlers where not already set (e.g. QUIET_HANDLER_ENV). */
  handlerDefaults?: Record<string, string>;
}

export interface LocalRuntime {
  url: string;
  port: number;
  runtime: Runtime;
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
  const runtime = createRuntime({ ...options, invoker: lateInvoker });
  const server = await startApiServer({
    runtime,
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 0,
    ...(options.random ? { random: options.random } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  if (typeof options.invoker === 'function') invoker = options.invoker(server.url);
  else if (options.invoker) invoker = options.invoker;
  else {
    invoker = createInProcessInvoker({
      env: {
        SAGEMAKER_ENDPOINT: server.url,
        FAN_OUT_ALLOWED_PIPELINES: options.allowedPipelines ?? '*',
      },
      defaultEnv: { ...LOCAL_AWS_ENV, ...options.handlerDefaults },
      region: runtime.region,
      accountId: runtime.accountId,
    });
  }
  return {
    url: server.url,
    port: server.port,
    runtime,
    async close() {
      runtime.close();
      await server.close();
    },
  };
}
