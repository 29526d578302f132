/**
 * Calls this project's handlers in this process: imports `functions/<key>/handler.ts`, makes the
 * invoker's own handler with its `createHandler(config)` and invokes it with a minimal Lambda
 * context. Fast, no serverless-offline.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import {
  awsRegion,
  configFromEnvironment,
  DEFAULT_REGION,
  type FunctionConfig,
} from '../../shared/config';
import { LocalError } from '../errors';
import { type FunctionCatalog, functionNameFromArn, loadFunctionCatalog } from './catalog';
import type { InvokeRequest, InvokeResult, LambdaInvoker } from './types';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface InProcessInvokerOptions {
  catalog?: FunctionCatalog;
  /** Extra functions by name (or full ARN), e.g. test doubles; they win over project functions. */
  handlers?: Record<string, LambdaHandler>;
  /**
   * This invoker's own settings for every function, e.g. the fan-out function's
   * SAGEMAKER_ENDPOINT: they win over everything else. See {@link handlerEnvironment}.
   */
  env?: Record<string, string>;
  /** Settings for variables neither the shell nor `env` sets (dummy credentials, log levels). */
  defaultEnv?: Record<string, string>;
  /** The region of the runtime: the functions' `AWS_REGION` and their ARNs' region. */
  region?: string;
  accountId?: string;
}

/** What a function module exports for the in-process invoker. */
export type CreateHandler = (config: FunctionConfig) => LambdaHandler;

/** A function module did not export a callable `createHandler`. */
export class HandlerLoadError extends LocalError {}

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
 * The environment a function's configuration is parsed from, each layer over the one before:
 * its `environment:` in serverless.yml (params at their defaults), the invoker's `defaultEnv`,
 * the shell's variables (read, never written: `POWERTOOLS_LOG_LEVEL=DEBUG npm start` shows
 * the handlers' logs), the runtime's region, and the invoker's `env`.
 */
export function handlerEnvironment(
  catalog: FunctionCatalog,
  key: string,
  options: { env?: Record<string, string>; defaultEnv?: Record<string, string>; region: string },
): Record<string, string | undefined> {
  return {
    ...catalog.environment(key),
    ...options.defaultEnv,
    ...process.env,
    AWS_REGION: options.region,
    ...options.env,
  };
}

/**
 * What a handler calling the local runtime needs when the shell has no AWS settings: the runtime
 * accepts any signature, but the SDK refuses to sign without credentials.
 */
export const LOCAL_AWS_ENV: Record<string, string> = {
  AWS_REGION: DEFAULT_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Handler logs and EMF metrics would bury the CLI's and `npm start`'s output; set these to see them. */
export const QUIET_HANDLER_ENV: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

// Module loads, one at a time (see importWithEnvironment).
let loading: Promise<unknown> = Promise.resolve();

/**
 * Imports a function module with the function's environment in `process.env` while it loads:
 * the module's own `handler = createHandler(configFromEnvironment())` runs at load, as on Lambda,
 * where each function has its own process and environment (a batch function stops at load without
 * `BATCH_TABLE_NAME`). Only variables the shell leaves unset are added, and removed once loaded;
 * loads are serialized so that two functions' environments never mix.
 */
function importWithEnvironment(
  file: string,
  environment: Record<string, string | undefined>,
): Promise<{ createHandler?: unknown }> {
  const next = loading.then(async () => {
    const added = Object.entries(environment).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && process.env[entry[0]] === undefined,
    );
    for (const [name, value] of added) process.env[name] = value;
    try {
      return (await import(file)) as { createHandler?: unknown };
    } finally {
      for (const [name] of added) delete process.env[name];
    }
  });
  loading = next.catch(() => undefined);
  return next;
}

/** Creates the in-process invoker. */
export function createInProcessInvoker(options: InProcessInvokerOptions = {}): LambdaInvoker {
  const catalog = options.catalog ?? loadFunctionCatalog();
  const region = options.region ?? awsRegion();
  const accountId = options.accountId ?? '123456789012';
  // This invoker's handlers, one per function, each made once with this invoker's configuration.
  const created = new Map<string, Promise<LambdaHandler>>();

  const load = (key: string): Promise<LambdaHandler> => {
    let pending = created.get(key);
    if (!pending) {
      const file = pathToFileURL(join(catalog.root, 'functions', key, 'handler.ts')).href;
      const environment = handlerEnvironment(catalog, key, { ...options, region });
      pending = importWithEnvironment(file, environment).then((module) => {
        if (typeof module.createHandler !== 'function') {
          throw new HandlerLoadError(
            `functions/${key}/handler.ts does not export createHandler(config)`,
          );
        }
        return (module.createHandler as CreateHandler)(configFromEnvironment(environment));
      });
      created.set(key, pending);
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
