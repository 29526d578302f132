/**
 * Calls this project's handlers in this process: imports `functions/<key>/handler.ts` and invokes
 * its `handler(event, context)` with a minimal Lambda context. Fast, no serverless-offline.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionCatalog, functionNameFromArn, loadFunctionCatalog } from './catalog';
import type { InvokeRequest, InvokeResult, LambdaInvoker } from './types';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface InProcessInvokerOptions {
  catalog?: FunctionCatalog;
  /** Extra functions by name (or full ARN), e.g. test doubles; they win over project functions. */
  handlers?: Record<string, LambdaHandler>;
  /**
   * Environment set before the first handler module loads (handlers read it at module load,
   * e.g. the fan-out function's SAGEMAKER_ENDPOINT).
   */
  env?: Record<string, string>;
  /** Like `env`, but only for variables not already set (dummy credentials, log levels). */
  defaultEnv?: Record<string, string>;
  region?: string;
  accountId?: string;
}

/** A Lambda handler did not export a callable `handler`. */
export class HandlerLoadError extends Error {
  override name = 'HandlerLoadError';
}

/** Builds the context object Lambda passes as the handler's second argument. */
export function createLambdaContext(options: {
  functionName: string;
  invokedFunctionArn: string;
  timeoutMs: number;
  memoryLimitInMB?: string;
}): Context {
  const deadline = Date.now() + options.timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: options.invokedFunctionArn,
    memoryLimitInMB: options.memoryLimitInMB ?? '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a handler calling the local runtime needs when the shell has no AWS settings: the runtime
 * accepts any signature, but the SDK refuses to sign without credentials.
 */
export const LOCAL_AWS_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let instances = 0;

/** Handler logs and EMF metrics would bury the CLI's and `npm start`'s output; set these to see them. */
export const QUIET_HANDLER_ENV: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Creates the in-process invoker. */
export function createInProcessInvoker(options: InProcessInvokerOptions = {}): LambdaInvoker {
  const catalog = options.catalog ?? loadFunctionCatalog();
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const loaded = new Map<string, Promise<LambdaHandler>>();
  const instance = ++instances;
  let envApplied = false;

  const load = (key: string): Promise<LambdaHandler> => {
    let pending = loaded.get(key);
    if (!pending) {
      if (!envApplied) {
        for (const [name, value] of Object.entries(options.defaultEnv ?? {})) {
          process.env[name] ??= value;
        }
        Object.assign(process.env, options.env ?? {});
        envApplied = true;
      }
      // One module instance per invoker: handlers read SAGEMAKER_ENDPOINT at module load, and each
      // runtime in a process has its own URL (the query string makes a distinct module instance).
      const file = `${pathToFileURL(join(catalog.root, 'functions', key, 'handler.ts')).href}?invoker=${instance}`;
      pending = import(file).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') {
          throw new HandlerLoadError(
            `functions/${key}/handler.ts does not export a handler function`,
          );
        }
        return module.handler as LambdaHandler;
      });
      loaded.set(key, pending);
    }
    return pending;
  };

  return {
    description: `in-process (functions/ in ${catalog.root})`,
    async invoke(request: InvokeRequest): Promise<InvokeResult> {
      const name = functionNameFromArn(request.functionArn);
      // Own properties only: a function named "constructor" must not find Object.prototype's.
      const own = (key: string) =>
        options.handlers && Object.hasOwn(options.handlers, key)
          ? options.handlers[key]
          : undefined;
      const extra = own(request.functionArn) ?? own(name);
      const key = extra ? undefined : catalog.resolve(request.functionArn);
      if (!extra && !key) {
        return {
          ok: false,
          error: catalog.unknownFunctionMessage(
            request.functionArn,
            Object.keys(options.handlers ?? {}),
          ),
        };
      }
      const functionName = key ? catalog.deployedName(key) : name;
      // A project function stops at its own serverless.yml timeout when that comes before the step's.
      const functionTimeoutMs = key ? catalog.timeoutMs(key) : Number.POSITIVE_INFINITY;
      const timeoutMs = Math.min(request.timeoutMs, functionTimeoutMs);
      let timer: NodeJS.Timeout | undefined;
      try {
        const handler = extra ?? (await load(key as string));
        const context = createLambdaContext({
          functionName,
          invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
          timeoutMs,
        });
        // A JSON round trip on both sides, as the Lambda service serializes events and results.
        const event: unknown = JSON.parse(JSON.stringify(request.payload ?? null));
        // Settles either way, so a handler failing after its timeout rejects nothing unhandled.
        const running = handler(event, context).then(
          (result): InvokeResult => ({
            ok: true,
            payload: result === undefined ? null : JSON.parse(JSON.stringify(result)),
          }),
          (error: unknown): InvokeResult => ({ ok: false, error: message(error) }),
        );
        if (functionTimeoutMs >= request.timeoutMs) return await running;
        const timedOut = new Promise<InvokeResult>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                ok: false,
                // Lambda's own wording for a function stopped at its timeout.
                error: `Task timed out after ${(functionTimeoutMs / 1000).toFixed(2)} seconds`,
              }),
            functionTimeoutMs,
          );
        });
        return await Promise.race([running, timedOut]);
      } catch (error) {
        return { ok: false, error: message(error) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
