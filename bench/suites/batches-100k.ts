/**
 * Batches at scale (issue 13 §4): N items (default 100,000; `--items N`) read from a CSV in
 * S3 (moto_server on 127.0.0.1), one child pipeline execution of 100 ms each, against the local runtime with a
 * StartPipelineExecution rate limit of 500/s, 50 ms of latency on every answer and an account
 * budget of 1,000. The submission runs in its own `node` process from the batch-api bundle, as a
 * Lambda container would, so its time and peak RSS are the function's own; then batch-events
 * refills from the status events local mode delivers. Measured: submission time and peak RSS,
 * starts per second against the limit, duplicates and missing items (from the runtime's own
 * execution records), and the ledger's writes per item (counted by dynalite's own thread,
 * so the count costs the functions' thread nothing). The baseline is the synchronous fan-out at its ceiling of 10,000 items, re-sent
 * until nothing is deferred.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { ThrottlingError } from '../../local/errors';
import { type ExecutionSpan, type LocalRuntime, startLocalRuntime } from '../../local/index';
import type { FunctionCatalog } from '../../local/invokers/catalog';
import { LOCAL_AWS_ENV } from '../../local/invokers/in-process';
import {
  createWorkerThreadInvoker,
  type WorkerThreadInvoker,
} from '../../local/invokers/worker-thread';
import { MAX_ITEMS } from '../../shared/steps/items';
import { batchApiEvent, waitForBatchEnd } from '../lib/batch-api';
import { ROOT } from '../lib/build';
import { CHILD_FUNCTION, FAN_OUT_ARN } from '../lib/definitions';
import { esbuildOptionsFromServerless } from '../lib/esbuild-settings';
import { createChildPipelines, invokeOrThrow } from '../lib/local-setup';
import { exactlyOnce, executionsPerItem, itemCoverage, markdownTable, sleep } from '../lib/measure';
import { startMotoServer } from '../lib/moto-server';
import type { BenchSuite } from '../lib/suite';

const itemsArg = (): number => {
  const at = process.argv.indexOf('--items');
  const value = at >= 0 ? Number(process.argv[at + 1]) : 100_000;
  if (!Number.isSafeInteger(value) || value < 1 || value > 100_000) {
    throw new Error(
      `--items must be an integer from 1 to 100000, received ${process.argv[at + 1]}`,
    );
  }
  return value;
};

const START_RATE = 500;
const LATENCY_MS = 50;
const CHILD_MS = 100;
const BUDGET = 1_000;
const TARGET_RATE_RATIO = 0.9;
const MAX_SUBMIT_MS = 10_000;
const MAX_RSS_MB = 256;
const BATCH_PIPELINE = 'bench-scale-child';
const FAN_OUT_PIPELINE = 'bench-scale-fan-out-child';
const BUCKET = 'bench-items';
/** Worker threads running the batch functions: one per core. */
const FUNCTION_THREADS = availableParallelism();
/** DynamoDB operations that write. */
const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/**
 * The CPU time of this process's main thread (the runtime's) in ms, from Linux's
 * /proc/self/task/<pid>/stat (utime and stime, fields 14 and 15, in clock ticks of 10 ms);
 * undefined elsewhere.
 */
const mainThreadCpuMs = (): number | undefined => {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

/** Starts, duplicates and missing items of one pipeline's executions. */
const outcome = (spans: readonly ExecutionSpan[], items: number) => {
  const perItem = executionsPerItem(spans.map((span) => span.displayName));
  const starts = spans.map((span) => span.startTime.getTime()).sort((a, b) => a - b);
  const ends = spans.map((span) => (span.endTime ?? new Date(0)).getTime());
  const first = starts[0] ?? 0;
  const last = starts.at(-1) ?? 0;
  return {
    executions: spans.length,
    ...itemCoverage(perItem, items),
    startsPerSecond: spans.length > 1 ? ((spans.length - 1) * 1000) / Math.max(1, last - first) : 0,
    makespanMs: Math.max(...ends) - first,
  };
};

/** Runs one bundle in a fresh process with one event: its answer, time and peak RSS. */
const runInOwnProcess = (bundle: string, event: unknown, env: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-submit-'));
  const eventFile = join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify(event));
  return new Promise<{
    statusCode: number;
    body: string;
    initMs: number;
    handlerMs: number;
    maxRssKb: number;
  }>((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(ROOT, 'bench/probes/submit-probe.cjs'), bundle, eventFile],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) done(JSON.parse(out));
      else fail(new Error(`submission process exited ${code}: ${err.slice(0, 2000)}`));
    });
  });
};

export const batches100kSuite: BenchSuite = {
  name: 'batches-100k',
  onlyWhenNamed: true,
  description:
    'a batch over N items from a CSV in S3 (--items N, default 100,000): children of 100 ms, start rate limit 500/s, 50 ms latency, account budget 1,000; the fan-out at its 10,000-item ceiling as baseline',
  run: async () => {
    const items = itemsArg();
    const baselineItems = Math.min(items, MAX_ITEMS);
    const outDir = resolve(ROOT, 'bench', '.build', 'batch-api-scale');
    await build({
      ...esbuildOptionsFromServerless(),
      entryPoints: [resolve(ROOT, 'functions/batch-api/handler.ts')],
      entryNames: 'handler',
      outdir: outDir,
      logLevel: 'warning',
      absWorkingDir: ROOT,
    });
    const bundle = join(outDir, 'handler.cjs');
    const s3 = await startMotoServer();
    let catalog: FunctionCatalog | undefined;
    const throttled = new Map<string, number>();
    let local: LocalRuntime | undefined;
    let functions: WorkerThreadInvoker | undefined;
    let dynamoDbEndpoint = '';
    const s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
    });
    try {
      await s3Client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      const functionEnv = (url: string) => ({
        SAGEMAKER_ENDPOINT: url,
        FAN_OUT_ALLOWED_PIPELINES: `${BATCH_PIPELINE},${FAN_OUT_PIPELINE}`,
        S3_ENDPOINT: s3.endpoint,
        DYNAMODB_ENDPOINT: dynamoDbEndpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      });
      local = await startLocalRuntime({
        knobs: {
          startRateLimit: START_RATE,
          latencyMs: LATENCY_MS,
          stepLatencyMs: [CHILD_MS, CHILD_MS],
          maxConcurrentExecutions: BUDGET,
        },
        allowedPipelines: `${BATCH_PIPELINE},${FAN_OUT_PIPELINE}`,
        services: { params: { accountConcurrencyLimit: String(BUDGET) }, scheduleEveryMs: 10_000 },
        invoker: (url, wiring) => {
          catalog = wiring.catalog;
          dynamoDbEndpoint = wiring.env.DYNAMODB_ENDPOINT ?? '';
          // The batch functions on worker threads, beside the runtime's thread.
          functions = createWorkerThreadInvoker({
            catalog: wiring.catalog,
            env: { ...wiring.env, ...functionEnv(url) },
            defaultEnv: LOCAL_AWS_ENV,
            handlers: { [CHILD_FUNCTION]: async () => ({}) },
            threads: FUNCTION_THREADS,
          });
          return functions;
        },
      });
      const runtime = local.runtime;
      const handle = runtime.handle.bind(runtime);
      runtime.handle = async (operation, input) => {
        try {
          return await handle(operation, input);
        } catch (error) {
          if (error instanceof ThrottlingError) {
            const pipeline = String(input.PipelineName);
            throttled.set(pipeline, (throttled.get(pipeline) ?? 0) + 1);
          }
          throw error;
        }
      };
      // The functions' S3 is moto_server: the results manifest's bucket must be there too.
      const resultsBucket = catalog?.environment('batch-api').BATCH_RESULTS_BUCKET;
      if (resultsBucket) await s3Client.send(new CreateBucketCommand({ Bucket: resultsBucket }));
      await createChildPipelines(local.url, [BATCH_PIPELINE, FAN_OUT_PIPELINE]);
      const rows = Array.from({ length: items }, (_, i) => `region-${i % 31},customer-${i}`);
      await s3Client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'items.csv',
          Body: `region,customer\n${rows.join('\n')}\n`,
        }),
      );
      const invoke = invokeOrThrow(runtime.invoker, 900_000);
      await invoke('batch-events', { Records: [] });
      const spansOf = (pipeline: string) =>
        runtime.executionTimeline().filter((span) => span.pipelineName === pipeline);

      // The batch: one submission in its own process, then events only.
      const ledgerWrites = async () => {
        const calls = (await local?.services?.dynamoDb?.operations()) ?? {};
        return Object.entries(calls).reduce(
          (sum, [name, n]) => sum + (DYNAMODB_WRITES.has(name) ? n : 0),
          0,
        );
      };
      const callsBefore = (await local.services?.dynamoDb?.operations()) ?? {};
      const writesBefore = await ledgerWrites();
      const begin = performance.now();
      const cpuBegin = process.cpuUsage();
      const mainCpuBegin = mainThreadCpuMs();
      const mainBegin = performance.eventLoopUtilization();
      const workersBegin = functions?.utilization() ?? [];
      let lastElu = performance.eventLoopUtilization();
      let lastCpu = process.cpuUsage();
      let lastWorkerElu = functions?.utilization();
      let lastDynamoDbElu = local?.services?.dynamoDb?.utilization();
      const progress = setInterval(() => {
        const spans = spansOf(BATCH_PIPELINE);
        const elu = performance.eventLoopUtilization(lastElu);
        lastElu = performance.eventLoopUtilization();
        const cpu = process.cpuUsage(lastCpu);
        lastCpu = process.cpuUsage();
        const workerElu = functions?.utilization(lastWorkerElu);
        lastWorkerElu = functions?.utilization();
        const busy = (workerElu ?? []).map((one) => `${(one.utilization * 100).toFixed(0)} %`);
        const dynamoDbElu = local?.services?.dynamoDb?.utilization(lastDynamoDbElu);
        lastDynamoDbElu = local?.services?.dynamoDb?.utilization();
        const dynalite =
          dynamoDbElu === undefined ? '?' : `${(dynamoDbElu.utilization * 100).toFixed(0)} %`;
        process.stderr.write(
          `[batches-100k] busy: main thread ${(elu.utilization * 100).toFixed(0)} %, functions threads ${busy.join(', ')}, dynalite ${dynalite}; process CPU ${((cpu.user + cpu.system) / 50_000).toFixed(0)} % of one core\n`,
        );
        const queues = [...(local?.services?.delivery.queues.values() ?? [])]
          .map((queue) => `${queue.name}=${queue.depth()}`)
          .join(' ');
        process.stderr.write(
          `[batches-100k] ${((performance.now() - begin) / 1000).toFixed(0)} s: ${spans.length} started, ${runtime.runningExecutions()} running, queues ${queues}, ${JSON.stringify(local?.services?.delivery.stats)}\n`,
        );
      }, 5_000);
      progress.unref();
      const submitted = await runInOwnProcess(
        bundle,
        batchApiEvent('POST', '/batches', 'bench-scale', {
          pipelines: [BATCH_PIPELINE],
          itemsFrom: { uri: `s3://${BUCKET}/items.csv` },
          parameters: { Item: '{{item.region}}/{{item.customer}}' },
          maxConcurrentExecutions: BUDGET,
        }),
        {
          ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
          ...LOCAL_AWS_ENV,
          ...(catalog?.environment('batch-api') ?? {}),
          ...functionEnv(local.url),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        } as Record<string, string>,
      );
      if (submitted.statusCode !== 201) {
        throw new Error(`submission answered ${submitted.statusCode}: ${submitted.body}`);
      }
      const submitWrites = (await ledgerWrites()) - writesBefore;
      const { batchId } = JSON.parse(submitted.body) as { batchId: string };
      const { status } = await waitForBatchEnd(invoke, batchId, 500);
      const batchWallMs = performance.now() - begin;
      clearInterval(progress);
      const cpuUsed = process.cpuUsage(cpuBegin);
      const mainCpuEnd = mainThreadCpuMs();
      const mainActiveMs = performance.eventLoopUtilization(mainBegin).active;
      const workersActiveMs = (functions?.utilization(workersBegin) ?? []).map((one) => one.active);
      let firstFailure: string | undefined;
      if (status !== 'SUCCEEDED') {
        const listed = (await invoke('batch-api', {
          ...batchApiEvent('GET', `/batches/${batchId}/executions`, 'x'),
          routeKey: 'GET /batches/{batchId}/executions',
          rawQueryString: 'status=FAILED',
          queryStringParameters: { status: 'FAILED' },
        })) as { body: string };
        const failed = (
          JSON.parse(listed.body) as { executions?: Array<{ failureReason?: string }> }
        ).executions;
        firstFailure = failed?.[0]?.failureReason;
      }
      const batchWrites = (await ledgerWrites()) - writesBefore;
      const callsAfter = (await local.services?.dynamoDb?.operations()) ?? {};
      const ledgerCalls = Object.fromEntries(
        Object.entries(callsAfter).map(([name, n]) => [name, n - (callsBefore[name] ?? 0)]),
      );
      const batch = {
        approach: `batch over itemsFrom (${status})`,
        items,
        wallMs: batchWallMs,
        ...outcome(spansOf(BATCH_PIPELINE), items),
        throttled: throttled.get(BATCH_PIPELINE) ?? 0,
        submission: {
          handlerMs: submitted.handlerMs,
          initMs: submitted.initMs,
          peakRssMb: submitted.maxRssKb / 1024,
          ledgerWrites: submitWrites,
        },
        ledgerWritesPerItem: batchWrites / items,
        // This process's CPU (runtime, functions, dynalite; not the submission's process) per
        // child, and each thread's busy time per child (which includes waiting for a core).
        perChild: {
          processCpuMs: (cpuUsed.user + cpuUsed.system) / 1000 / items,
          ...(mainCpuBegin === undefined || mainCpuEnd === undefined
            ? {}
            : { mainThreadCpuMs: (mainCpuEnd - mainCpuBegin) / items }),
          mainThreadBusyMs: mainActiveMs / items,
          functionThreadsBusyMs: workersActiveMs.reduce((sum, ms) => sum + ms, 0) / items,
        },
        ...(firstFailure === undefined ? {} : { firstFailure }),
      };

      // Baseline: the synchronous fan-out at its ceiling, re-sent until nothing is deferred.
      const fanOutBegin = performance.now();
      let sends = 0;
      for (;;) {
        sends += 1;
        const answer = (await invoke(FAN_OUT_ARN, {
          pipelines: [FAN_OUT_PIPELINE],
          items: Array.from({ length: baselineItems }, (_, i) => `customer-${i}`),
          batchKey: 'bench-scale-fan-out',
          displayNamePrefix: 'bench',
        })) as { deferredCount: number };
        if (answer.deferredCount === 0 || sends >= 50) break;
        await sleep(200);
      }
      await Promise.all(
        spansOf(FAN_OUT_PIPELINE).map((span) => runtime.waitForExecution(span.executionArn)),
      );
      const fanOut = {
        approach: `fan-out, ${baselineItems.toLocaleString('en')} items${baselineItems === MAX_ITEMS ? ' (its ceiling)' : ''}, re-sent until done`,
        items: baselineItems,
        wallMs: performance.now() - fanOutBegin,
        ...outcome(spansOf(FAN_OUT_PIPELINE), baselineItems),
        throttled: throttled.get(FAN_OUT_PIPELINE) ?? 0,
        sends,
      };

      const rateRatio = batch.startsPerSecond / START_RATE;
      const passed =
        status === 'SUCCEEDED' &&
        rateRatio >= TARGET_RATE_RATIO &&
        exactlyOnce(batch) &&
        batch.submission.handlerMs < MAX_SUBMIT_MS &&
        batch.submission.peakRssMb < MAX_RSS_MB;
      const table = markdownTable(
        ['approach', 'items', 'wall', 'starts/s', 'x limit', 'throttled', 'duplicates', 'missing'],
        [batch, fanOut].map((row) => [
          row.approach,
          row.items.toLocaleString('en'),
          `${(row.wallMs / 1000).toFixed(1)} s`,
          row.startsPerSecond.toFixed(0),
          (row.startsPerSecond / START_RATE).toFixed(2),
          String(row.throttled),
          String(row.duplicates),
          String(row.missing),
        ]),
      );
      const notes = [
        `submission (own process, batch-api bundle): ${(batch.submission.handlerMs / 1000).toFixed(2)} s handler time (target < ${MAX_SUBMIT_MS / 1000} s), peak RSS ${batch.submission.peakRssMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB), ${batch.submission.ledgerWrites} ledger writes`,
        `ledger writes per item, submission to end: ${batch.ledgerWritesPerItem.toFixed(2)}`,
        `per child: ${batch.perChild.processCpuMs.toFixed(1)} ms of this process's CPU (all threads), ${batch.perChild.mainThreadCpuMs?.toFixed(1) ?? '?'} ms of it on the runtime's thread; busy ${batch.perChild.mainThreadBusyMs.toFixed(1)} ms on the runtime's thread, ${batch.perChild.functionThreadsBusyMs.toFixed(1)} ms on the ${FUNCTION_THREADS} functions threads`,
        ...(firstFailure === undefined ? [] : [`first failure: ${firstFailure}`]),
        `targets: starts/s >= ${TARGET_RATE_RATIO} x ${START_RATE}, 0 duplicates, 0 missing (${passed ? 'met' : 'missed'})`,
      ];
      return {
        table: `${table}\n\n${notes.join('\n')}`,
        figures: {
          items,
          startRateLimit: START_RATE,
          latencyMs: LATENCY_MS,
          childMs: CHILD_MS,
          accountBudget: BUDGET,
          targetRateRatio: TARGET_RATE_RATIO,
          batch: { ...batch, rateRatio },
          baseline: { ...fanOut, rateRatio: fanOut.startsPerSecond / START_RATE },
          ledgerCalls,
        },
        passed,
      };
    } finally {
      s3Client.destroy();
      await local?.close();
      await functions?.close();
      s3.stop();
    }
  },
};
