/**
 * Fault suite (issue 5, section 3), through the real fan-out handler: its Lambda context's
 * remaining time runs out mid-batch. The context's clock is driven by the runtime: every
 * StartPipelineExecution the runtime runs costs 50 ms of the invocation's time, and each
 * invocation starts with the handler's 8 s stop-starting margin plus room for 100 calls.
 * So each send starts about 100 items, and the rest are deferred until a re-send.
 *
 * Re-send bound (README.md, "Resuming a deferred batch"): ceil(pairs / 100) + 1 = 7.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/fan-out/handler';
import { LOCAL_AWS_ENV } from '../../local/invokers/in-process';
import { configFromEnvironment } from '../../shared/config';
import { DEFAULT_FAN_OUT_LIMITS } from '../../shared/fan-out/runner';
import { lambdaContext } from '../support/lambda/events';
import {
  CHILD_PIPELINES,
  exactness,
  type FaultRuntime,
  ITEMS,
  PAIRS,
  startFaultRuntime,
} from '../support/local/fault-runtime';

const CALLS_PER_SEND = 100;
const MS_PER_CALL = 50;
const MAX_SENDS = Math.ceil(PAIRS / CALLS_PER_SEND) + 1;

interface StepOutputs {
  batchId: string;
  startedCount: number;
  deferredCount: number;
  failedCount: number;
  complete: boolean;
}

let runtime: FaultRuntime;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  runtime = await startFaultRuntime({ latencyMs: 2 });
  handler = createHandler(
    configFromEnvironment({
      SAGEMAKER_ENDPOINT: runtime.local.url,
      FAN_OUT_ALLOWED_PIPELINES: CHILD_PIPELINES.join(','),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...LOCAL_AWS_ENV,
    }),
  );
});

afterAll(async () => {
  await runtime?.close();
});

describe('the fan-out handler whose remaining time runs out mid-batch', () => {
  it('starts exactly one execution per (pipeline, item) once the same event is re-sent until nothing is deferred', async () => {
    const event = {
      pipelines: [...CHILD_PIPELINES],
      items: ITEMS,
      batchKey: 'reliability-handler-remaining-time',
      displayNamePrefix: 'fault',
    };
    const perSend: StepOutputs[] = [];
    for (let send = 1; send <= MAX_SENDS; send++) {
      const startsBefore = runtime.startsRun();
      const context = lambdaContext({
        getRemainingTimeInMillis: () =>
          DEFAULT_FAN_OUT_LIMITS.stopStartingBelowMs +
          MS_PER_CALL * (CALLS_PER_SEND - (runtime.startsRun() - startsBefore)),
      });
      const outputs = (await handler(event, context)) as StepOutputs;
      perSend.push(outputs);
      if (outputs.deferredCount === 0) break;
    }
    await runtime.childrenDone();
    const counts = exactness(await runtime.executionsPerPair());
    console.info(
      `[fault suite] handler, remaining time runs out: ${perSend.length} send(s) (bound ${MAX_SENDS}); per send ${perSend
        .map((o) => `${o.startedCount}/${o.deferredCount}/${o.failedCount}`)
        .join(
          ', ',
        )} (started/deferred/failed); executions ${counts.executions} for ${PAIRS} pairs, duplicates ${counts.duplicates}, missing ${counts.missing}; StartPipelineExecution run by the runtime ${runtime.startsRun()}`,
    );
    const last = perSend.at(-1);
    expect(last).toMatchObject({ startedCount: PAIRS, deferredCount: 0, failedCount: 0 });
    expect(last?.complete).toBe(true);
    expect(perSend.length).toBeGreaterThan(1);
    expect(perSend.length).toBeLessThanOrEqual(MAX_SENDS);
    expect(counts).toEqual({ executions: PAIRS, duplicates: 0, missing: 0, strays: 0 });
    // Each send started what the time allowed and deferred the rest, never failing any item.
    for (const outputs of perSend) {
      expect(outputs.startedCount + outputs.deferredCount).toBe(PAIRS);
      expect(outputs.failedCount).toBe(0);
    }
  });
});
