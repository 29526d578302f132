import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFunctionCatalog } from '../../../local/invokers/catalog';
import { LOCAL_AWS_ENV } from '../../../local/invokers/in-process';
import type { InvokeRequest } from '../../../local/invokers/types';
import {
  createWorkerThreadInvoker,
  type WorkerThreadInvoker,
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

  it('answers with an error once closed', async () => {
    invoker = createWorkerThreadInvoker({ catalog });
    await invoker.close();
    expect(await invoker.invoke(request('concat', {}))).toEqual({
      ok: false,
      error: 'the functions worker stopped',
    });
  });
});
