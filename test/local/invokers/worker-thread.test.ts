import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../../local/index';
import { loadFunctionCatalog } from '../../../local/invokers/catalog';
import { LOCAL_AWS_ENV } from '../../../local/invokers/in-process';
import type { InvokeRequest } from '../../../local/invokers/types';
import {
  createWorkerThreadInvoker,
  type WorkerThreadInvoker,
  WorkerThreadsError,
} from '../../../local/invokers/worker-thread';

const request = (functionArn: string, payload: unknown, timeoutMs = 30_000): InvokeRequest => ({
  functionArn,
  payload,
  timeoutMs,
  signal: new AbortController().signal,
});

describe('worker-thread invoker', () => {
  const catalog = loadFunctionCatalog();
  let invoker: WorkerThreadInvoker | undefined;
  afterEach(async () => {
    await invoker?.close();
    invoker = undefined;
  });

  it('runs a project function on its worker thread with the in-process contract', async () => {
    invoker = createWorkerThreadInvoker({
      catalog,
      defaultEnv: { ...LOCAL_AWS_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(invoker.description).toMatch(/^worker thread/);
    const result = await invoker.invoke(request('concat', { str1: 'Hello', str2: ' World' }));
    expect(result).toEqual({ ok: true, payload: { str3: 'Hello World' } });
    const bad = await invoker.invoke(request('concat', { str1: 1 }));
    expect(!bad.ok && bad.error).toMatch(/str1/);
  }, 60_000);

  it('keeps handler doubles on the calling thread and names unknown functions', async () => {
    const threads: number[] = [];
    invoker = createWorkerThreadInvoker({
      catalog,
      handlers: {
        double: async (event) => {
          threads.push(threadId);
          return { echoed: event };
        },
      },
    });
    expect(await invoker.invoke(request('double', { a: 1 }))).toEqual({
      ok: true,
      payload: { echoed: { a: 1 } },
    });
    expect(threads).toEqual([threadId]);
    const unknown = await invoker.invoke(request('no-such-function', {}));
    expect(unknown).toMatchObject({
      ok: false,
      error: expect.stringContaining('no-such-function'),
    });
  }, 60_000);

  it('spreads calls over its threads, each with its own copy of the functions', async () => {
    const root = mkdtempSync(join(tmpdir(), 'worker-threads-'));
    try {
      writeFileSync(join(root, 'serverless.yml'), 'service: demo\nfunctions:\n  whoami:\n');
      // ES modules, as in this project (its package.json).
      writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
      mkdirSync(join(root, 'functions', 'whoami'), { recursive: true });
      // Answers after 200 ms with its thread and how many calls its module copy has seen.
      writeFileSync(
        join(root, 'functions', 'whoami', 'handler.ts'),
        "import { threadId } from 'node:worker_threads';\nlet calls = 0;\nexport const createHandler = () => async () => { calls += 1; const seen = calls; await new Promise((r) => setTimeout(r, 200)); return { threadId, seen }; };\n",
      );
      invoker = createWorkerThreadInvoker({ catalog: loadFunctionCatalog({ root }), threads: 2 });
      expect(invoker.description).toMatch(/^worker threads \(2\)/);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => invoker?.invoke(request('whoami', {}))),
      );
      const answers = results.map((result) =>
        result?.ok ? (result.payload as { threadId: number; seen: number }) : undefined,
      );
      expect(
        results.every((result) => result?.ok),
        JSON.stringify(results),
      ).toBe(true);
      const threads = new Set(answers.map((answer) => answer?.threadId));
      expect(threads.size).toBe(2);
      expect(threads.has(threadId)).toBe(false);
      // Two calls on each thread: each copy of the module saw its own two.
      expect(answers.map((answer) => answer?.seen).sort()).toEqual([1, 1, 2, 2]);
      expect(invoker.utilization()).toHaveLength(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => createWorkerThreadInvoker({ catalog, threads: 0 })).toThrow(WorkerThreadsError);
  });

  it('is what startLocalRuntime runs the functions with when asked', async () => {
    const local = await startLocalRuntime({
      functionsOnWorkerThread: true,
      services: false,
      handlerDefaults: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    try {
      expect(local.runtime.invoker.description).toMatch(/^worker thread/);
      expect(
        await local.runtime.invoker.invoke(request('concat', { str1: 'x', str2: 'y' })),
      ).toEqual({ ok: true, payload: { str3: 'xy' } });
    } finally {
      await local.close();
    }
    expect(await local.runtime.invoker.invoke(request('concat', {}))).toEqual({
      ok: false,
      error: 'the functions worker stopped',
    });
  }, 60_000);

  it('answers with an error once closed', async () => {
    invoker = createWorkerThreadInvoker({ catalog });
    await invoker.close();
    expect(await invoker.invoke(request('concat', {}))).toEqual({
      ok: false,
      error: 'the functions worker stopped',
    });
  });
});
