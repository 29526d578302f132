/**
 * Harness of the fault suite: a local runtime with two child pipelines whose one Lambda step
 * takes a set time (so children finish over time), the production SageMaker client pointed at
 * it, a tally of every HTTP answer the client saw, and exact counts of executions per
 * (pipeline, item) read back from the runtime with ListPipelineExecutions.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { LOCAL_ROLE_ARN } from '../../../local/client';
import { type LocalRuntime, startLocalRuntime } from '../../../local/index';
import { createInProcessInvoker, LOCAL_AWS_ENV } from '../../../local/invokers/in-process';
import type { Knobs } from '../../../local/knobs';
import type { FanOutResult } from '../../../shared/fan-out/result';
import { createSageMakerClient } from '../../../shared/fan-out/sagemaker-client';

export const CHILD_PIPELINES = ['child-a', 'child-b'] as const;
export const ITEM_COUNT = 300;
export const PAIRS = ITEM_COUNT * CHILD_PIPELINES.length;
export const ITEMS = Array.from({ length: ITEM_COUNT }, (_, i) => ({ id: `item-${i}`, n: i }));

const childDefinition = JSON.stringify({
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [
    { Name: 'Item', Type: 'String', DefaultValue: '' },
    { Name: 'N', Type: 'Integer', DefaultValue: 0 },
  ],
  Steps: [
    {
      Name: 'Work',
      Type: 'Lambda',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:child-work',
      Arguments: { item: { Get: 'Parameters.Item' } },
      OutputParameters: [],
    },
  ],
});

/** What the client saw, per attempt (the SDK's retries included). */
export interface Tally {
  ok: number;
  throttled: number;
  resourceLimit: number;
  serverErrors: number;
  other: number;
}

export interface FaultRuntime {
  local: LocalRuntime;
  /** The production client (`createSageMakerClient`), as a warm fan-out container holds it. */
  client: SageMakerClient;
  tally: Tally;
  /** StartPipelineExecution calls the runtime ran (a 500 before the operation never gets here). */
  startsRun(): number;
  /** Executions per pipeline and item index, from ListPipelineExecutions on the runtime. */
  executionsPerPair(): Promise<Map<string, Map<number, number>>>;
  /** Resolves once every execution started so far has ended. */
  childrenDone(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a runtime with the child pipelines. `childMs(item)` is how long a child's step takes
 * (default 0). Knobs are set after the pipelines exist, so set-up never meets a fault.
 */
export async function startFaultRuntime(
  knobs: Partial<Knobs>,
  childMs: (item: string) => number = () => 0,
): Promise<FaultRuntime> {
  const local = await startLocalRuntime({
    invoker: (url) =>
      createInProcessInvoker({
        env: { SAGEMAKER_ENDPOINT: url },
        defaultEnv: LOCAL_AWS_ENV,
        handlers: {
          'child-work': async (event) => {
            const ms = childMs(String((event as { item?: unknown }).item));
            if (ms > 0) await sleep(ms);
            return {};
          },
        },
      }),
  });
  let starts = 0;
  const handle = local.runtime.handle.bind(local.runtime);
  local.runtime.handle = (operation, input) => {
    if (operation === 'StartPipelineExecution') starts++;
    return handle(operation, input);
  };
  for (const pipeline of CHILD_PIPELINES) {
    await local.runtime.handle('CreatePipeline', {
      PipelineName: pipeline,
      PipelineDefinition: childDefinition,
      RoleArn: LOCAL_ROLE_ARN,
      ClientRequestToken: `create-${pipeline}`.padEnd(32, '0'),
    });
  }
  local.runtime.setKnobs(knobs);

  const client = createSageMakerClient({ region: 'us-east-1', endpoint: local.url });
  const tally: Tally = { ok: 0, throttled: 0, resourceLimit: 0, serverErrors: 0, other: 0 };
  // Innermost in the deserialize step: sees each attempt's raw HTTP answer.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const out = await next(args);
        const response = out.response as {
          statusCode?: number;
          headers?: Record<string, string>;
        };
        const type = response.headers?.['x-amzn-errortype'] ?? '';
        if ((response.statusCode ?? 0) >= 500) tally.serverErrors++;
        else if (type === 'ThrottlingException') tally.throttled++;
        else if (type === 'ResourceLimitExceeded') tally.resourceLimit++;
        else if (response.statusCode === 200) tally.ok++;
        else tally.other++;
        return out;
      } catch (error) {
        tally.other++;
        throw error;
      }
    },
    { step: 'deserialize', name: 'faultTally', priority: 'low' },
  );

  return {
    local,
    client,
    tally,
    startsRun: () => starts,
    async executionsPerPair() {
      const all = new Map<string, Map<number, number>>();
      for (const pipeline of CHILD_PIPELINES) {
        const counts = new Map<number, number>();
        let NextToken: string | undefined;
        do {
          const page = (await local.runtime.handle('ListPipelineExecutions', {
            PipelineName: pipeline,
            MaxResults: 100,
            ...(NextToken ? { NextToken } : {}),
          })) as {
            PipelineExecutionSummaries: Array<{ PipelineExecutionDisplayName?: string }>;
            NextToken?: string;
          };
          for (const summary of page.PipelineExecutionSummaries) {
            const match = /-(\d+)$/.exec(summary.PipelineExecutionDisplayName ?? '');
            const index = match ? Number(match[1]) : -1;
            counts.set(index, (counts.get(index) ?? 0) + 1);
          }
          NextToken = page.NextToken;
        } while (NextToken);
        all.set(pipeline, counts);
      }
      return all;
    },
    async childrenDone() {
      await Promise.all(
        local.runtime.executionArns().map((a) => local.runtime.waitForExecution(a)),
      );
    },
    async close() {
      client.destroy();
      await local.close();
    },
  };
}

/** One send's counts, as printed. */
export interface SendCounts {
  started: number;
  deferred: number;
  failed: number;
  reasons: string[];
}

export interface ResendOutcome {
  sends: number;
  perSend: SendCounts[];
  last: FanOutResult;
  /** Every (pipeline, index) each send reported, with what it reported. */
  reports: FanOutResult[];
}

/**
 * Sends the same request until nothing is deferred, or `maxSends` sends, calling
 * `between()` before each re-send (a caller's pause: a schedule's next run, a retry).
 */
export async function resendUntilComplete(
  send: (sendNumber: number) => Promise<FanOutResult>,
  maxSends: number,
  between: () => Promise<void> = async () => {},
): Promise<ResendOutcome> {
  const reports: FanOutResult[] = [];
  for (let sendNumber = 1; ; sendNumber++) {
    const result = await send(sendNumber);
    reports.push(result);
    if (result.deferred === 0 || sendNumber >= maxSends) break;
    await between();
  }
  const last = reports.at(-1) as FanOutResult;
  return {
    sends: reports.length,
    perSend: reports.map((r) => ({
      started: r.started,
      deferred: r.deferred,
      failed: r.failed.length,
      reasons: [...new Set(r.deferredExecutions.map((d) => d.reason))],
    })),
    last,
    reports,
  };
}

/**
 * Duplicates (executions beyond the first), missing pairs and strays (executions of no item),
 * from the runtime's counts. Items `rejected` are expected to have no execution.
 */
export function exactness(
  counts: Map<string, Map<number, number>>,
  rejected: (index: number) => boolean = () => false,
) {
  let executions = 0;
  let duplicates = 0;
  let missing = 0;
  let strays = 0;
  for (const pipeline of CHILD_PIPELINES) {
    const perItem = counts.get(pipeline) ?? new Map<number, number>();
    for (const [index, n] of perItem) {
      executions += n;
      if (index < 0 || index >= ITEM_COUNT || rejected(index)) strays += n;
      else duplicates += n - 1;
    }
    for (let index = 0; index < ITEM_COUNT; index++) {
      if (!rejected(index) && !perItem.has(index)) missing++;
    }
  }
  return { executions, duplicates, missing, strays };
}

/**
 * Whether a send reported every (pipeline, item) exactly once, as started, deferred or
 * failed, each with its pipeline and item index.
 */
export function reportsEveryPairOnce(result: FanOutResult): boolean {
  const seen = new Map<string, number>();
  const mark = (pipeline: string, index: number) => {
    const key = `${pipeline}\n${index}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  };
  for (const e of result.executions) mark(e.pipeline, e.index);
  for (const d of result.deferredExecutions) mark(d.pipeline, d.index);
  for (const f of result.failed) mark(f.pipeline, f.index);
  if (seen.size !== PAIRS) return false;
  for (const pipeline of CHILD_PIPELINES) {
    for (let index = 0; index < ITEM_COUNT; index++) {
      if (seen.get(`${pipeline}\n${index}`) !== 1) return false;
    }
  }
  return true;
}
