/**
 * `npm run console:screenshots`: runs the example pipelines on a local runtime, opens the console
 * in headless Chromium and writes docs/console-graph.png (parent.json's definition),
 * docs/console-execution.png (a finished parent execution, FanOut selected) and
 * docs/console-callback.png (an approval execution waiting on its Callback step).
 */
import { resolve } from 'node:path';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { chromiumMissing, launchChromium } from './console-browser';
import { startConsoleDemo } from './console-demo';

const docs = resolve(import.meta.dirname, '../docs');

const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const demo = await startConsoleDemo();
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${demo.local.url}/#/pipelines/parent`);
  await page.locator('[data-step="FanOut"]').waitFor();
  await page.locator('[data-step="HasItems"]').click();
  await page.screenshot({ path: resolve(docs, 'console-graph.png') });

  const started = await demo.client.send(
    new StartPipelineExecutionCommand({
      PipelineName: 'parent',
      PipelineExecutionDisplayName: 'parent-screenshot',
    }),
  );
  const arn = started.PipelineExecutionArn as string;
  await demo.local.runtime.waitForExecution(arn);
  await page.goto(`${demo.local.url}/#/executions/${encodeURIComponent(arn)}`);
  await page.locator('[data-execution-status="Succeeded"]').waitFor();
  await page.locator('[data-step="FanOut"]').click();
  await page.locator('[data-details="FanOut"]').waitFor();
  await page.screenshot({ path: resolve(docs, 'console-execution.png') });

  const approval = await demo.client.send(
    new StartPipelineExecutionCommand({
      PipelineName: 'approval',
      PipelineExecutionDisplayName: 'approval-screenshot',
    }),
  );
  await page.goto(
    `${demo.local.url}/#/executions/${encodeURIComponent(approval.PipelineExecutionArn as string)}`,
  );
  await page.locator('[data-callback="Approve"]').waitFor();
  await page.locator('[data-step="Approve"][data-status="Executing"]').waitFor();
  await page.screenshot({ path: resolve(docs, 'console-callback.png'), fullPage: true });

  if (errors.length > 0) throw new Error(`the page raised errors: ${errors.join('; ')}`);
  console.log(
    `wrote ${['graph', 'execution', 'callback'].map((n) => `docs/console-${n}.png`).join(', ')}`,
  );
} finally {
  await chromium.close();
  await demo.close();
}
