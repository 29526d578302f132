/**
 * The functions' worker thread (see ./worker-thread.ts): an in-process invoker over the caller's
 * catalog and environment, answering each call with its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFunctionCatalog } from './catalog';
import { createInProcessInvoker } from './in-process';
import type { WorkerAnswer, WorkerCall, WorkerThreadData } from './worker-thread';

const data = workerData as WorkerThreadData;
const base = loadFunctionCatalog({ root: data.root, stage: data.stage });
const invoker = createInProcessInvoker({
  catalog: { ...base, environment: (key) => data.environments[key] ?? base.environment(key) },
  ...(data.env ? { env: data.env } : {}),
  ...(data.defaultEnv ? { defaultEnv: data.defaultEnv } : {}),
  ...(data.region ? { region: data.region } : {}),
  ...(data.accountId ? { accountId: data.accountId } : {}),
});

parentPort?.on('message', (call: WorkerCall) => {
  void invoker
    .invoke({
      functionArn: call.functionArn,
      payload: JSON.parse(call.payload),
      timeoutMs: call.timeoutMs,
      signal: new AbortController().signal,
    })
    .then((result) => {
      const answer: WorkerAnswer = { id: call.id, result };
      parentPort?.postMessage(answer);
    });
});
