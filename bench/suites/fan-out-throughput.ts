/**
 * Fan-out throughput (issue 5, section 1): 1,000 child executions against the local runtime
 * with a StartPipelineExecution rate limit of 100 calls per second and 50 ms added latency per
 * call, three ways in one run — a sequential loop with the SDK's defaults, every call at once
 * (`Promise.all`), and our fan-out function through its real handler, re-sent until nothing is
 * deferred. Each approach starts its own child pipeline, so the counts never mix; the runtime
 * counts every StartPipelineExecution attempt it answers, and ListPipelineExecutions counts the
 * executions per item afterwards.
 */
import {
  CreatePipelineCommand,
  type SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { LOCAL_ROLE_ARN, listAllExecutions, localSageMakerClient } from '../../local/client';
import { ThrottlingError } from '../../local/errors';
import { type LocalRuntime, startLocalRuntime } from '../../local/index';
import { createInProcessInvoker, LOCAL_AWS_ENV } from '../../local/invokers/in-process';
import type { LambdaInvoker } from '../../local/invokers/types';
import { CHILD_FUNCTION, FAN_OUT_ARN, oneStepChildDefinition } from '../lib/definitions';
import { exactlyOnce, executionsPerItem, itemCoverage, markdownTable, sleep } from '../lib/measure';
import type { BenchSuite } from '../lib/suite';

const ITEMS = Math.max(100, Number(process.env.BENCH_FAN_OUT_ITEMS ?? 1_000));
/** StartPipelineExecution calls the runtime accepts per rolling second (issue 5: 100). */
const RATE_LIMIT = Number(process.env.BENCH_FAN_OUT_RATE_LIMIT ?? 100);
/** Latency the runtime adds to every call, in ms (issue 5: 50). */
const LATENCY_MS = Number(process.env.BENCH_FAN_OUT_LATENCY_MS ?? 50);
/** Target for our fan-out: at least this share of the rate limit. */
const TARGET_RATIO = 0.9;
/** Sends of the same request before the benchmark gives up on our fan-out. */
const MAX_SENDS = 20;
/** maxConcurrency of our fan-out's request; unset uses the function's default. */
const CONCURRENCY = process.env.BENCH_FAN_OUT_CONCURRENCY
  ? Number(process.env.BENCH_FAN_OUT_CONCURRENCY)
  : undefined;
/** Comma-separated approaches to run (sequential, all-at-once, fan-out); default all three. */
const ONLY = (process.env.BENCH_FAN_OUT_ONLY ?? '').split(',').filter(Boolean);

/** What the runtime saw of one child pipeline's StartPipelineExecution calls. */
interface CallLog {
  attempts: number;
  throttled: number;
  /** ms since the approach began, for each accepted start (the runtime answered with an ARN). */
  acceptedAt: number[];
  throttledAt: number[];
}

interface ApproachRun {
  wallMs: number;
  /** Items whose call ended in an error (after every retry). */
  failedItems: number;
  /** Items whose final error was throttling. */
  failedThrottled: number;
  sends?: number;
  perSend?: Array<{ started: number; deferred: number; failed: number; ms: number }>;
}

interface ApproachFigures extends ApproachRun {
  approach: string;
  pipeline: string;
  startsPerSecond: number;
  ratioToLimit: number;
  attempts: number;
  throttledResponses: number;
  executions: number;
  itemsWithExecution: number;
  duplicates: number;
  missing: number;
  /** Most accepted starts in any rolling second (the limiter's ceiling is the rate limit). */
  peakRollingSecond: number;
  /** Accepted starts and throttled answers in each whole second of the run. */
  perSecond: Array<{ second: number; accepted: number; throttled: number }>;
}

const childDefinition = oneStepChildDefinition(
  `arn:aws:lambda:us-east-1:123456789012:function:${CHILD_FUNCTION}`,
);

const errorName = (error: unknown) =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Error';

/** Counts the runtime's StartPipelineExecution answers per pipeline (the server calls `handle`). */
function countStarts(local: LocalRuntime, clock: () => number): Map<string, CallLog> {
  const logs = new Map<string, CallLog>();
  const handle = local.runtime.handle.bind(local.runtime);
  local.runtime.handle = async (operation, input) => {
    if (operation !== 'StartPipelineExecution') return handle(operation, input);
    const pipeline = String(input.PipelineName);
    let log = logs.get(pipeline);
    if (!log) {
      log = { attempts: 0, throttled: 0, acceptedAt: [], throttledAt: [] };
      logs.set(pipeline, log);
    }
    log.attempts++;
    try {
      const output = await handle(operation, input);
      log.acceptedAt.push(clock());
      return output;
    } catch (error) {
      if (error instanceof ThrottlingError) {
        log.throttled++;
        log.throttledAt.push(clock());
      }
      throw error;
    }
  };
  return logs;
}

const peakRollingSecond = (times: readonly number[]): number => {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while ((times[to] as number) - (times[from] as number) >= 1000) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
};

const perSecond = (log: CallLog, wallMs: number) =>
  Array.from({ length: Math.ceil(wallMs / 1000) }, (_, second) => ({
    second,
    accepted: log.acceptedAt.filter((t) => Math.floor(t / 1000) === second).length,
    throttled: log.throttledAt.filter((t) => Math.floor(t / 1000) === second).length,
  }));

const items = Array.from({ length: ITEMS }, (_, index) => index);

/** The pattern of the public examples: one call after another, SDK defaults. */
async function sequential(client: SageMakerClient, pipeline: string): Promise<ApproachRun> {
  let failedItems = 0;
  let failedThrottled = 0;
  const begin = performance.now();
  for (const index of items) {
    try {
      await client.send(
        new StartPipelineExecutionCommand({
          PipelineName: pipeline,
          PipelineExecutionDisplayName: `sequential-${index}`,
          PipelineParameters: [{ Name: 'Item', Value: String(index) }],
        }),
      );
    } catch (error) {
      failedItems++;
      if (errorName(error) === 'ThrottlingException') failedThrottled++;
    }
  }
  return { wallMs: performance.now() - begin, failedItems, failedThrottled };
}

/** Every call at once. Each call's error is caught so that every outcome is counted. */
async function allAtOnce(client: SageMakerClient, pipeline: string): Promise<ApproachRun> {
  let failedItems = 0;
  let failedThrottled = 0;
  const begin = performance.now();
  await Promise.all(
    items.map((index) =>
      client
        .send(
          new StartPipelineExecutionCommand({
            PipelineName: pipeline,
            PipelineExecutionDisplayName: `all-at-once-${index}`,
            PipelineParameters: [{ Name: 'Item', Value: String(index) }],
          }),
        )
        .catch((error: unknown) => {
          failedItems++;
          if (errorName(error) === 'ThrottlingException') failedThrottled++;
        }),
    ),
  );
  return { wallMs: performance.now() - begin, failedItems, failedThrottled };
}

/** Our fan-out through its real handler (in-process invoker), re-sent until nothing is deferred. */
async function ourFanOut(invoker: LambdaInvoker, pipeline: string): Promise<ApproachRun> {
  const event = {
    pipelines: [pipeline],
    items,
    batchKey: `bench-fan-out-${Date.now()}`,
    displayNamePrefix: 'bench',
    ...(CONCURRENCY === undefined ? {} : { maxConcurrency: CONCURRENCY }),
  };
  const perSend: NonNullable<ApproachRun['perSend']> = [];
  const begin = performance.now();
  let failedItems = 0;
  for (let send = 1; send <= MAX_SENDS; send++) {
    const sendBegin = performance.now();
    const result = await invoker.invoke({
      functionArn: FAN_OUT_ARN,
      payload: event,
      timeoutMs: 600_000,
      signal: new AbortController().signal,
    });
    if (!result.ok) throw new Error(`fan-out handler failed: ${result.error}`);
    const outputs = result.payload as {
      startedCount: number;
      deferredCount: number;
      failedCount: number;
    };
    perSend.push({
      started: outputs.startedCount,
      deferred: outputs.deferredCount,
      failed: outputs.failedCount,
      ms: performance.now() - sendBegin,
    });
    failedItems = outputs.failedCount;
    if (outputs.deferredCount === 0) break;
  }
  const last = perSend.at(-1);
  if (last && last.deferred > 0) failedItems += last.deferred;
  return {
    wallMs: performance.now() - begin,
    failedItems,
    failedThrottled: 0,
    sends: perSend.length,
    perSend,
  };
}

export const fanOutThroughputSuite: BenchSuite = {
  name: 'fan-out-throughput',
  description: `${ITEMS.toLocaleString('en')} child executions against a ${RATE_LIMIT}/s StartPipelineExecution limit with ${LATENCY_MS} ms latency: sequential loop, Promise.all, our fan-out handler`,
  run: async () => {
    const approaches = [
      { approach: 'sequential loop (SDK defaults)', pipeline: 'bench-sequential' },
      { approach: 'Promise.all (SDK defaults)', pipeline: 'bench-all-at-once' },
      { approach: 'our fan-out (real handler)', pipeline: 'bench-fan-out' },
    ];
    let approachBegin = performance.now();
    const local = await startLocalRuntime({
      knobs: { startRateLimit: RATE_LIMIT, latencyMs: LATENCY_MS },
      invoker: (url) =>
        createInProcessInvoker({
          env: {
            SAGEMAKER_ENDPOINT: url,
            FAN_OUT_ALLOWED_PIPELINES: approaches.map((a) => a.pipeline).join(','),
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
          defaultEnv: LOCAL_AWS_ENV,
          handlers: { [CHILD_FUNCTION]: async () => ({}) },
        }),
    });
    const logs = countStarts(local, () => performance.now() - approachBegin);
    const admin = localSageMakerClient(local.url);
    const figures: ApproachFigures[] = [];
    try {
      // Set-up calls are not StartPipelineExecution: latency applies, the rate limit does not.
      for (const { pipeline } of approaches) {
        await admin.send(
          new CreatePipelineCommand({
            PipelineName: pipeline,
            PipelineDefinition: childDefinition,
            RoleArn: LOCAL_ROLE_ARN,
            ClientRequestToken: `create-${pipeline}`.padEnd(32, '0'),
          }),
        );
      }
      // Load the handler module before the clock starts: a cold start is not throughput.
      const invoker = local.runtime.invoker;
      await invoker.invoke({
        functionArn: FAN_OUT_ARN,
        payload: { pipelines: ['bench-fan-out'], items: [0], batchKey: 'warm-up', dryRun: true },
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
      const runs: Record<string, () => Promise<ApproachRun>> = {
        'bench-sequential': () => sequential(localSageMakerClient(local.url), 'bench-sequential'),
        'bench-all-at-once': () => allAtOnce(localSageMakerClient(local.url), 'bench-all-at-once'),
        'bench-fan-out': () => ourFanOut(invoker, 'bench-fan-out'),
      };
      for (const { approach, pipeline } of approaches) {
        if (ONLY.length > 0 && !ONLY.includes(pipeline.replace('bench-', ''))) continue;
        // An empty rolling window for each approach.
        await sleep(1_100);
        approachBegin = performance.now();
        const run = await (runs[pipeline] as () => Promise<ApproachRun>)();
        const log = logs.get(pipeline) ?? {
          attempts: 0,
          throttled: 0,
          acceptedAt: [],
          throttledAt: [],
        };
        const executions = await listAllExecutions(admin, pipeline, 100);
        const counts = executionsPerItem(executions.map((e) => e.PipelineExecutionDisplayName));
        const startsPerSecond = counts.size / (run.wallMs / 1000);
        figures.push({
          approach,
          pipeline,
          ...run,
          startsPerSecond,
          ratioToLimit: startsPerSecond / RATE_LIMIT,
          attempts: log.attempts,
          throttledResponses: log.throttled,
          executions: executions.length,
          itemsWithExecution: counts.size,
          ...itemCoverage(counts, ITEMS),
          peakRollingSecond: peakRollingSecond(log.acceptedAt),
          perSecond: perSecond(log, run.wallMs),
        });
      }
    } finally {
      admin.destroy();
      await local.close();
    }

    const ours = figures.find((f) => f.pipeline === 'bench-fan-out');
    const passed = ours !== undefined && ours.ratioToLimit >= TARGET_RATIO && exactlyOnce(ours);
    const table = markdownTable(
      [
        'Approach',
        'Wall (s)',
        'Starts/s',
        'Ratio to limit',
        'Calls',
        'Throttled answers',
        'Items failed',
        'Sends',
        'Executions',
        'Duplicates',
        'Missing',
        'Target',
        'Pass',
      ],
      figures.map((f) => [
        f.approach,
        (f.wallMs / 1000).toFixed(2),
        f.startsPerSecond.toFixed(1),
        f.ratioToLimit.toFixed(2),
        String(f.attempts),
        String(f.throttledResponses),
        f.failedThrottled > 0
          ? `${f.failedItems} (${f.failedThrottled} throttled)`
          : String(f.failedItems),
        f.sends === undefined ? '—' : String(f.sends),
        String(f.executions),
        String(f.duplicates),
        String(f.missing),
        f.pipeline === 'bench-fan-out' ? `≥${TARGET_RATIO}, 0 dup, 0 missing` : '—',
        f.pipeline === 'bench-fan-out' ? (passed ? 'pass' : 'FAIL') : '—',
      ]),
    );
    const sends =
      ours?.perSend
        ?.map(
          (s, i) =>
            `send ${i + 1}: ${s.started} started, ${s.deferred} deferred, ${s.failed} failed in ${(s.ms / 1000).toFixed(2)} s`,
        )
        .join('; ') ?? '';
    const notes = [
      '',
      `${ITEMS.toLocaleString('en')} items to one child pipeline per approach; local runtime with startRateLimit ${RATE_LIMIT}/rolling second and latencyMs ${LATENCY_MS} on every call. Starts/s = items with an execution ÷ wall time; ratio = starts/s ÷ ${RATE_LIMIT}. Calls and throttled answers are counted by the runtime (every SDK attempt); executions, duplicates and missing by ListPipelineExecutions afterwards.`,
      `Peak accepted starts in any rolling second: ${figures.map((f) => `${f.approach} ${f.peakRollingSecond}`).join(', ')}.`,
      `Our fan-out (${ours?.sends ?? 0} send(s)): ${sends}.`,
    ].join('\n');
    return {
      table: `${table}\n${notes}`,
      figures: { items: ITEMS, rateLimit: RATE_LIMIT, latencyMs: LATENCY_MS, approaches: figures },
      passed,
    };
  },
};
