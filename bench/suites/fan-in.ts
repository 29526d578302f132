/**
 * Fan-in (issue 12 §6): how long a parent pipeline waits after its batch is done. The parent
 * `pipelines/parent-batch.json` runs a batch over child-pipeline-1 and child-pipeline-2 from a
 * Callback step; the figure is the time from the last child's end (the runtime's own record) to
 * the parent's next step starting (its StartTime in ListPipelineExecutionSteps). In between:
 * the status event through serverless.yml's rule and queue to batch-events, the batch's end,
 * the results manifest written to the local S3, SendPipelineExecutionStepSuccess. Target: at
 * most 1 s in local mode.
 */
import { join } from 'node:path';
import {
  ListPipelineExecutionStepsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { localSageMakerClient, readPipelineDir, upsertPipeline } from '../../local/client';
import { startLocalRuntime } from '../../local/index';
import { PROJECT_ROOT } from '../../local/invokers/catalog';
import { markdownTable, median } from '../lib/measure';
import type { BenchSuite } from '../lib/suite';

const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];
const ITEMS = Math.max(1, Number(process.env.BENCH_FAN_IN_ITEMS ?? 10));
const RUNS = Math.max(1, Number(process.env.BENCH_FAN_IN_RUNS ?? 5));
const CHILD_STEP_MS = 50;
const TARGET_MS = 1_000;

export const fanInSuite: BenchSuite = {
  name: 'fan-in',
  description: `parent-batch over ${ITEMS} items x 2 child pipelines (${CHILD_STEP_MS} ms steps): last child's end to the parent's next step, ${RUNS} runs, target <= ${TARGET_MS} ms`,
  run: async () => {
    const local = await startLocalRuntime({
      knobs: { maxConcurrentExecutions: 20, stepLatencyMs: [CHILD_STEP_MS, CHILD_STEP_MS] },
      allowedPipelines: CHILDREN.join(','),
      services: { params: { accountConcurrencyLimit: '20' }, scheduleEveryMs: 0 },
      handlerDefaults: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const client = localSageMakerClient(local.url);
    const waits: number[] = [];
    try {
      for (const pipeline of readPipelineDir(join(PROJECT_ROOT, 'pipelines'))) {
        await upsertPipeline(client, pipeline);
      }
      const items = JSON.stringify(Array.from({ length: ITEMS }, (_, i) => [`item-${i}`]));
      // One run first: module loading and cold clients are not the wait being measured.
      for (let run = -1; run < RUNS; run++) {
        const started = await client.send(
          new StartPipelineExecutionCommand({
            PipelineName: 'parent-batch',
            ClientRequestToken: `bench-fan-in-${run + 1}`.padEnd(32, '0'),
            PipelineParameters: [
              { Name: 'Items', Value: items },
              { Name: 'MaxConcurrentExecutions', Value: '20' },
            ],
          }),
        );
        const parentArn = started.PipelineExecutionArn as string;
        const status = await local.runtime.waitForExecution(parentArn);
        if (status !== 'Succeeded') throw new Error(`parent-batch ended ${status}`);
        const steps =
          (
            await client.send(
              new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: parentArn }),
            )
          ).PipelineExecutionSteps ?? [];
        const runBatch = steps.find((step) => step.StepName === 'RunBatch');
        const next = steps.find((step) => step.StepName === 'FewEnoughFailed');
        const batchStart = runBatch?.StartTime?.getTime() ?? 0;
        const lastChildEnd = Math.max(
          ...local.runtime
            .executionTimeline()
            .filter(
              (span) =>
                CHILDREN.includes(span.pipelineName) && span.startTime.getTime() >= batchStart,
            )
            .map((span) => span.endTime?.getTime() ?? Number.POSITIVE_INFINITY),
        );
        const wait = (next?.StartTime?.getTime() ?? Number.NaN) - lastChildEnd;
        if (run >= 0) waits.push(wait);
      }
    } finally {
      client.destroy();
      await local.close();
    }
    const worst = Math.max(...waits);
    const passed = waits.length === RUNS && worst <= TARGET_MS;
    return {
      table: `${markdownTable(
        ['measure', 'median', 'worst', 'target'],
        [
          [
            "last child's end -> parent's next step",
            `${median(waits).toFixed(0)} ms`,
            `${worst.toFixed(0)} ms`,
            `<= ${TARGET_MS} ms (${passed ? 'met' : 'missed'})`,
          ],
        ],
      )}`,
      figures: {
        items: ITEMS,
        children: ITEMS * CHILDREN.length,
        runs: RUNS,
        childStepMs: CHILD_STEP_MS,
        waitsMs: waits,
        targetMs: TARGET_MS,
      },
      passed,
    };
  },
};
