/**
 * `npm run console:screenshots`: runs the example pipelines on a local runtime, opens the console
 * in headless Chromium and writes docs/console-graph.png (parent.json's definition),
 * docs/console-execution.png (a finished parent execution, FanOut selected),
 * docs/console-callback.png (an approval execution waiting on its Callback step),
 * docs/console-batches.png (the Batches page: a finished batch, one with a failed child, one
 * running) and docs/console-batch.png (one batch with its children).
 */
import { resolve } from 'node:path';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import type { BatchList } from '../local/console/ui/batch-types';
import { chromiumMissing, launchChromium } from './console-browser';
import { type ConsoleDemo, startConsoleDemo } from './console-demo';

const docs = resolve(import.meta.dirname, '../docs');

const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

/** The local ledger's batches, as the console reads them. */
const batchesOf = async (demo: ConsoleDemo) =>
  ((await (await fetch(`${demo.local.url}/_local/batches`)).json()) as BatchList).batches;

/** Waits until the batch's counts pass `until`. */
const waitForBatch = async (
  demo: ConsoleDemo,
  batchId: string,
  until: (batch: BatchList['batches'][number]) => boolean,
) => {
  for (let attempt = 0; attempt < 600; attempt++) {
    const batch = (await batchesOf(demo)).find((b) => b.batchId === batchId);
    if (batch && until(batch)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`batch ${batchId} did not get there in 60 s`);
};

const demo = await startConsoleDemo({ services: true });

/** Starts an execution of `pipeline`, named `<pipeline>-screenshot`; resolves to its ARN. */
const startExecution = async (pipeline: string) => {
  const started = await demo.client.send(
    new StartPipelineExecutionCommand({
      PipelineName: pipeline,
      PipelineExecutionDisplayName: `${pipeline}-screenshot`,
    }),
  );
  return started.PipelineExecutionArn as string;
};

const executionUrl = (arn: string) => `${demo.local.url}/#/executions/${encodeURIComponent(arn)}`;
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${demo.local.url}/#/pipelines/parent`);
  await page.locator('[data-step="FanOut"]').waitFor();
  await page.locator('[data-step="HasItems"]').click();
  await page.screenshot({ path: resolve(docs, 'console-graph.png') });

  const parent = await startExecution('parent');
  await demo.local.runtime.waitForExecution(parent);
  await page.goto(executionUrl(parent));
  await page.locator('[data-execution-status="Succeeded"]').waitFor();
  await page.locator('[data-step="FanOut"]').click();
  await page.locator('[data-details="FanOut"]').waitFor();
  await page.screenshot({ path: resolve(docs, 'console-execution.png') });

  await page.goto(executionUrl(await startExecution('approval')));
  await page.locator('[data-callback="Approve"]').waitFor();
  await page.locator('[data-step="Approve"][data-status="Executing"]').waitFor();
  await page.screenshot({ path: resolve(docs, 'console-callback.png'), fullPage: true });

  const finished = await demo.submitBatch({
    items: ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => [item]),
    key: 'screenshot-nightly',
    maxConcurrentExecutions: 4,
  });
  await waitForBatch(demo, finished, (b) => b.status !== 'RUNNING');
  const failed = await demo.submitBatch({
    items: [['g'], 'not-a-list', ['h'], ['i']],
    key: 'screenshot-with-a-bad-item',
    maxConcurrentExecutions: 2,
    pipelines: ['child-pipeline-1'],
  });
  await waitForBatch(demo, failed, (b) => b.status !== 'RUNNING');
  demo.local.runtime.setKnobs({ stepLatencyMs: [1500, 2500] });
  const running = await demo.submitBatch({
    items: Array.from({ length: 12 }, (_, index) => [`item-${index}`]),
    key: 'screenshot-running',
    maxConcurrentExecutions: 3,
  });
  await waitForBatch(demo, running, (b) => b.counts.succeeded >= 4 && b.counts.running > 0);
  await page.goto(`${demo.local.url}/#/batches`);
  await page.locator(`[data-batch="${running}"]`).waitFor();
  await page.screenshot({ path: resolve(docs, 'console-batches.png') });
  await page.goto(`${demo.local.url}/#/batches/${running}`);
  await page.locator('[data-child]').first().waitFor();
  await page.screenshot({ path: resolve(docs, 'console-batch.png'), fullPage: true });
  demo.local.runtime.setKnobs({ stepLatencyMs: [0, 0] });
  await waitForBatch(demo, running, (b) => b.status !== 'RUNNING');

  if (errors.length > 0) throw new Error(`the page raised errors: ${errors.join('; ')}`);
  console.log(
    `wrote ${['graph', 'execution', 'callback', 'batches', 'batch'].map((n) => `docs/console-${n}.png`).join(', ')}`,
  );
} finally {
  await chromium.close();
  await demo.close();
}
