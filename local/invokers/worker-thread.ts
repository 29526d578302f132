/**
 * This project's functions on a worker thread: the in-process invoker (./in-process.ts) run by a
 * second thread, so the functions' work (mostly their AWS SDK clients' request pipelines) runs
 * beside the runtime's API server, engine and event delivery instead of queueing behind them on
 * one thread. Same handlers, environment, JSON round trip and timeouts; test doubles given as
 * `handlers` stay on the calling thread. The worker loads TypeScript through tsx's loader API.
 */
import { createRequire } from 'node:module';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LocalError } from '../errors';
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
  /** Each worker thread's event loop utilisation since it started, or since `since` (same order). */
  utilization(since?: readonly EventLoopUtilization[]): EventLoopUtilization[];
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

export interface WorkerThreadOptions extends InProcessInvokerOptions {
  catalog: FunctionCatalog;
  /**
   * Worker threads (default 1). A call goes to the one with the fewest calls running; each has
   * its own copy of every function's module, as concurrent Lambda invocations have their own
   * execution environments.
   */
  threads?: number;
}

/** A worker-thread invoker asked for with a bad option. */
export class WorkerThreadsError extends LocalError {}

/** One worker thread and the calls it is running. */
interface FunctionThread {
  worker: Worker;
  pending: Map<number, (result: InvokeResult) => void>;
}

export function createWorkerThreadInvoker(options: WorkerThreadOptions): WorkerThreadInvoker {
  const { catalog } = options;
  const count = options.threads ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new WorkerThreadsError(`threads must be a positive integer, received ${count}`);
  }
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
  const workerData = {
    ...data,
    // tsx/esm/api's ES module build (require() resolves its CommonJS build, .cjs).
    tsx: pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href,
    entry: new URL('./worker-thread-entry.ts', import.meta.url).href,
  };
  let stopped: string | undefined;
  const threads: FunctionThread[] = [];
  const stopAll = (reason: string) => {
    stopped ??= reason;
    for (const thread of threads) {
      for (const settle of thread.pending.values()) settle({ ok: false, error: stopped });
      thread.pending.clear();
    }
  };
  for (let index = 0; index < count; index += 1) {
    const thread: FunctionThread = {
      worker: new Worker(BOOTSTRAP, { eval: true, workerData }),
      pending: new Map(),
    };
    // A worker keeps the process alive only while it runs a call, as an in-process call would.
    thread.worker.unref();
    thread.worker.on('message', ({ id, result }: WorkerAnswer) => {
      thread.pending.get(id)?.(result);
      thread.pending.delete(id);
      if (thread.pending.size === 0) thread.worker.unref();
    });
    thread.worker.on('error', (error) =>
      stopAll(
        `the functions worker failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    thread.worker.on('exit', () => stopAll('the functions worker stopped'));
    threads.push(thread);
  }
  let nextId = 0;

  return {
    description: `worker thread${count > 1 ? `s (${count})` : ''} (functions/ in ${catalog.root})`,
    invoke(request) {
      const name = functionNameFromArn(request.functionArn);
      if (Object.hasOwn(doubles, request.functionArn) || Object.hasOwn(doubles, name)) {
        return onThisThread.invoke(request);
      }
      if (stopped) return Promise.resolve({ ok: false, error: stopped });
      const thread = threads.reduce((least, candidate) =>
        candidate.pending.size < least.pending.size ? candidate : least,
      );
      nextId += 1;
      const call: WorkerCall = {
        id: nextId,
        functionArn: request.functionArn,
        payload: JSON.stringify(request.payload ?? null),
        timeoutMs: request.timeoutMs,
      };
      return new Promise<InvokeResult>((resolve) => {
        thread.pending.set(call.id, resolve);
        thread.worker.ref();
        thread.worker.postMessage(call);
      });
    },
    utilization: (since) =>
      threads.map((thread, index) =>
        thread.worker.performance.eventLoopUtilization(since?.[index]),
      ),
    async close() {
      stopAll('the functions worker stopped');
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
