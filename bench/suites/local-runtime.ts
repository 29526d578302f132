/**
 * The local runtime (issue 5, section 2): the interpreter's per-step overhead over a 50-step
 * chain of in-process Lambda steps (time per step beyond the function's own time), and a parent
 * whose fan-out step (the real fan-out handler) starts 1,000 child executions: time until every
 * child has succeeded. No knobs: no rate limit, no latency, no faults.
 */
import { type LocalRuntime, startLocalRuntime } from '../../local/index';
import { createInProcessInvoker, LOCAL_AWS_ENV } from '../../local/invokers/in-process';
import { fanOutStepOutputs } from '../../shared/fan-out/step';
import { outputParameters } from '../../shared/lambda-step';
import { oneStepChildDefinition } from '../lib/definitions';
import { markdownTable, median, percentile } from '../lib/measure';
import type { BenchSuite } from '../lib/suite';

const CHAIN_STEPS = 50;
/** Executions of the chain measured, after warm-up ones. */
const CHAIN_RUNS = Math.max(5, Number(process.env.BENCH_LOCAL_CHAIN_RUNS ?? 30));
const CHAIN_WARMUP = 3;
const CHILDREN = Math.max(10, Number(process.env.BENCH_LOCAL_CHILDREN ?? 1_000));
const ACCOUNT = '123456789012';
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const FAN_OUT_ARN = functionArn('sagemaker-pipeline-lambdas-dev-fan-out');
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/SageMakerPipelineExecutionRole`;

/** Step i passes n + 1 on to step i + 1, a data dependency the interpreter resolves. */
const chainDefinition = JSON.stringify({
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [],
  Steps: Array.from({ length: CHAIN_STEPS }, (_, i) => ({
    Name: `S${i}`,
    Type: 'Lambda',
    FunctionArn: functionArn('chain-step'),
    Arguments: { n: i === 0 ? 0 : { Get: `Steps.S${i - 1}.OutputParameters['n']` } },
    OutputParameters: [{ OutputName: 'n', OutputType: 'Integer' }],
  })),
});

const childDefinition = oneStepChildDefinition(functionArn('child-work'));

const parentDefinition = JSON.stringify({
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [
    {
      Name: 'Items',
      Type: 'String',
      DefaultValue: JSON.stringify(Array.from({ length: CHILDREN }, (_, i) => i)),
    },
  ],
  Steps: [
    {
      Name: 'FanOut',
      Type: 'Lambda',
      FunctionArn: FAN_OUT_ARN,
      Arguments: {
        pipelines: '["bench-child"]',
        items: { Get: 'Parameters.Items' },
        batchKey: { Get: 'Execution.PipelineExecutionArn' },
        pipelineExecutionArn: { Get: 'Execution.PipelineExecutionArn' },
      },
      OutputParameters: outputParameters(fanOutStepOutputs),
    },
  ],
});

let tokens = 0;
const token = () => `bench-local-${Date.now()}-${++tokens}`.padEnd(32, '0');

const createPipeline = (local: LocalRuntime, name: string, definition: string) =>
  local.runtime.handle('CreatePipeline', {
    PipelineName: name,
    PipelineDefinition: definition,
    RoleArn: ROLE_ARN,
    ClientRequestToken: token(),
  });

const start = async (local: LocalRuntime, pipeline: string): Promise<string> => {
  const output = await local.runtime.handle('StartPipelineExecution', {
    PipelineName: pipeline,
    ClientRequestToken: token(),
  });
  return String(output.PipelineExecutionArn);
};

export const localRuntimeSuite: BenchSuite = {
  name: 'local-runtime',
  description: `interpreter overhead per step (${CHAIN_STEPS}-step chain of in-process Lambda steps) and a parent fanning out to ${CHILDREN.toLocaleString('en')} child executions`,
  run: async () => {
    let ownNs = 0n;
    let running = 0;
    let peakRunning = 0;
    const local = await startLocalRuntime({
      invoker: (url) =>
        createInProcessInvoker({
          env: {
            SAGEMAKER_ENDPOINT: url,
            FAN_OUT_ALLOWED_PIPELINES: 'bench-child',
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
          defaultEnv: LOCAL_AWS_ENV,
          handlers: {
            'chain-step': async (event) => {
              const begin = process.hrtime.bigint();
              const n = Number((event as { n: unknown }).n) + 1;
              ownNs += process.hrtime.bigint() - begin;
              return { n };
            },
            'child-work': async () => {
              running++;
              peakRunning = Math.max(peakRunning, running);
              running--;
              return {};
            },
          },
        }),
    });
    try {
      // 1. Per-step overhead.
      await createPipeline(local, 'bench-chain', chainDefinition);
      const perStepUs: number[] = [];
      const functionUs: number[] = [];
      for (let run = 0; run < CHAIN_WARMUP + CHAIN_RUNS; run++) {
        ownNs = 0n;
        const begin = process.hrtime.bigint();
        const arn = await start(local, 'bench-chain');
        const status = await local.runtime.waitForExecution(arn);
        const totalNs = process.hrtime.bigint() - begin;
        if (status !== 'Succeeded') throw new Error(`chain execution ended ${status}`);
        if (run < CHAIN_WARMUP) continue;
        perStepUs.push(Number(totalNs - ownNs) / 1000 / CHAIN_STEPS);
        functionUs.push(Number(ownNs) / 1000 / CHAIN_STEPS);
      }

      // 2. A parent whose fan-out step starts the children, through the real fan-out handler.
      await createPipeline(local, 'bench-child', childDefinition);
      await createPipeline(local, 'bench-parent', parentDefinition);
      // Load the handler module first: the figure is the fan-out, not a cold start.
      await local.runtime.invoker.invoke({
        functionArn: FAN_OUT_ARN,
        payload: { pipelines: ['bench-child'], items: [0], batchKey: 'warm-up', dryRun: true },
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
      const childEnds: number[] = [];
      const childStarts: number[] = [];
      const begin = performance.now();
      const unsubscribe = local.runtime.events.subscribe((event) => {
        const detail = event.detail as {
          currentPipelineExecutionStatus?: string;
          pipelineArn?: string;
        };
        if (!String(detail.pipelineArn).endsWith(':pipeline/bench-child')) return;
        if (detail.currentPipelineExecutionStatus === 'Executing')
          childStarts.push(performance.now() - begin);
        if (detail.currentPipelineExecutionStatus === 'Succeeded')
          childEnds.push(performance.now() - begin);
      });
      const parentArn = await start(local, 'bench-parent');
      const parentStatus = await local.runtime.waitForExecution(parentArn);
      const parentMs = performance.now() - begin;
      const childArns = local.runtime
        .executionArns()
        .filter((arn) => arn.includes(':pipeline/bench-child/'));
      const statuses = await Promise.all(childArns.map((a) => local.runtime.waitForExecution(a)));
      const allDoneMs = performance.now() - begin;
      unsubscribe();
      const succeeded = statuses.filter((s) => s === 'Succeeded').length;
      const steps = (await local.runtime.handle('ListPipelineExecutionSteps', {
        PipelineExecutionArn: parentArn,
      })) as {
        PipelineExecutionSteps: Array<{
          Metadata?: { Lambda?: { OutputParameters?: Array<{ Name: string; Value: string }> } };
        }>;
      };
      const outputs = Object.fromEntries(
        (steps.PipelineExecutionSteps[0]?.Metadata?.Lambda?.OutputParameters ?? []).map((o) => [
          o.Name,
          o.Value,
        ]),
      );
      const lastChildSucceededMs = Math.max(...childEnds);

      const figures = {
        chain: {
          steps: CHAIN_STEPS,
          runs: CHAIN_RUNS,
          perStepOverheadUs: { median: median(perStepUs), p90: percentile(perStepUs, 90) },
          functionOwnUsPerStep: median(functionUs),
          samplesUs: perStepUs,
        },
        fanOut: {
          children: CHILDREN,
          parentStatus,
          fanOutOutputs: outputs,
          childExecutions: childArns.length,
          childrenSucceeded: succeeded,
          parentMs,
          firstChildStartedMs: Math.min(...childStarts),
          lastChildStartedMs: Math.max(...childStarts),
          lastChildSucceededMs,
          allDoneMs,
          childrenPerSecond: succeeded / (lastChildSucceededMs / 1000),
        },
      };
      const chainTable = markdownTable(
        ['Chain', 'Runs', 'Overhead per step median (µs)', 'p90 (µs)', 'Function own (µs/step)'],
        [
          [
            `${CHAIN_STEPS} in-process Lambda steps`,
            String(CHAIN_RUNS),
            figures.chain.perStepOverheadUs.median.toFixed(0),
            figures.chain.perStepOverheadUs.p90.toFixed(0),
            figures.chain.functionOwnUsPerStep.toFixed(1),
          ],
        ],
      );
      const f = figures.fanOut;
      const fanOutTable = markdownTable(
        [
          'Parent fan-out',
          'Parent',
          'Children Succeeded',
          'Parent done (s)',
          'Last child started (s)',
          'All children succeeded (s)',
          'Children/s',
        ],
        [
          [
            `${CHILDREN.toLocaleString('en')} children, default concurrency`,
            `${parentStatus} (started ${outputs.startedCount ?? '?'}, deferred ${outputs.deferredCount ?? '?'}, failed ${outputs.failedCount ?? '?'})`,
            `${succeeded} of ${childArns.length}`,
            (f.parentMs / 1000).toFixed(2),
            (f.lastChildStartedMs / 1000).toFixed(2),
            (f.lastChildSucceededMs / 1000).toFixed(2),
            f.childrenPerSecond.toFixed(0),
          ],
        ],
      );
      const notes = [
        '',
        `Overhead per step = (execution time − the functions' own time) ÷ ${CHAIN_STEPS}, from StartPipelineExecution (in-process, no HTTP) to the execution's end; each step reads the previous step's output. ${CHAIN_RUNS} executions after ${CHAIN_WARMUP} warm-up ones.`,
        `The parent's one step is the real fan-out handler (in-process invoker) calling the runtime over HTTP; each child runs one in-process Lambda step. Times from the parent's StartPipelineExecution. No knobs (no rate limit, latency or faults).`,
      ].join('\n');
      const passed = parentStatus === 'Succeeded' && succeeded === CHILDREN;
      return { table: `${chainTable}\n\n${fanOutTable}\n${notes}`, figures, passed };
    } finally {
      await local.close();
    }
  },
};
