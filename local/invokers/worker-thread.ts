/**
 * This project's functions on a worker thread: the in-process invoker (./in-process.ts) run by a
 * second thread, so the functions' work (mostly their AWS SDK clients' request pipelines) runs
 * beside the runtime's API server, engine and event delivery instead of queueing behind them on
 * one thread. Same handlers, environment, JSON round trip and timeouts; test doubles given as
 * `handlers` stay on the calling thread. The worker loads TypeScript through tsx's loader API.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FunctionCatalog, functionNameFromArn } from './catalog';
import { createInProcessInvoker, type InProcessInvokerOptions } from './in-process';
import type { InvokeResult, LambdaInvoker } from './types';

/** What the worker thread needs to build its in-process invoker (structured-cloneable). */
export interface WorkerThreadData {
  root: string;
  stage: string;
  /** Every function's environment, as the caller's catalog resolves it. */
  environments: Record<string, Record<string, string>>;
  env?: Record<string, string>;
  defaultEnv?: Record<string, string>;
  region?: string;
  accountId?: string;
}

/** A call to the worker: the payload as the JSON text Lambda would receive. */
export interface WorkerCall {
  id: number;
  functionArn: string;
  payload: string;
  timeoutMs: number;
}

export interface WorkerAnswer {
  id: number;
  result: InvokeResult;
}

export interface WorkerThreadInvoker extends LambdaInvoker {
  /** Stops the worker thread; calls still running answer with an error. */
  close(): Promise<void>;
}

/** Registers tsx's loader in the worker, then imports the entry that serves calls. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => {
  (tsx.register ?? tsx.default.register)();
  return import(workerData.entry);
});
`;

export function createWorkerThreadInvoker(
  options: InProcessInvokerOptions & { catalog: FunctionCatalog },
): WorkerThreadInvoker {
  const { catalog } = options;
  const onThisThread = createInProcessInvoker(options);
  const doubles = options.handlers ?? {};
  const data: WorkerThreadData = {
    root: catalog.root,
    stage: catalog.stage,
    environments: Object.fromEntries(catalog.keys.map((key) => [key, catalog.environment(key)])),
    ...(options.env ? { env: options.env } : {}),
    ...(options.defaultEnv ? { defaultEnv: options.defaultEnv } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
  };
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      ...data,
      // tsx/esm/api's ES module build (require() resolves its CommonJS build, .cjs).
      tsx: pathToFileURL(
        createRequire(import.meta.url)
          .resolve('tsx/esm/api')
          .replace(/\.cjs$/, '.mjs'),
      ).href,
      entry: new URL('./worker-thread-entry.ts', import.meta.url).href,
    },
  });
  // The worker never keeps the process alive by itself.
  worker.unref();
  const pending = new Map<number, (result: InvokeResult) => void>();
  let nextId = 0;
  let stopped: string | undefined;
  const stopAll = (reason: string) => {
    stopped ??= reason;
    for (const settle of pending.values()) settle({ ok: false, error: stopped });
    pending.clear();
  };
  worker.on('message', ({ id, result }: WorkerAnswer) => {
    pending.get(id)?.(result);
    pending.delete(id);
  });
  worker.on('error', (error) =>
    stopAll(
      `the functions worker failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  worker.on('exit', () => stopAll('the functions worker stopped'));

  return {
    description: `worker thread (functions/ in ${catalog.root})`,
    invoke(request) {
      const name = functionNameFromArn(request.functionArn);
      if (Object.hasOwn(doubles, request.functionArn) || Object.hasOwn(doubles, name)) {
        return onThisThread.invoke(request);
      }
      if (stopped) return Promise.resolve({ ok: false, error: stopped });
      nextId += 1;
      const call: WorkerCall = {
        id: nextId,
        functionArn: request.functionArn,
        payload: JSON.stringify(request.payload ?? null),
        timeoutMs: request.timeoutMs,
      };
      return new Promise<InvokeResult>((resolve) => {
        pending.set(call.id, resolve);
        // A pending call keeps the process alive, as an in-process call would.
        if (pending.size === 1) worker.ref();
        worker.postMessage(call);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    async close() {
      stopAll('the functions worker stopped');
      await worker.terminate();
    },
  };
}
