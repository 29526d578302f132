/**
 * The console's Batches view in a real browser (Debian's chromium, playwright-core, headless),
 * against a runtime with its local services on: a batch submitted through the batch-api function
 * in process, its progress bar followed to the end without reloading, and a child's link to its
 * execution graph. Without chromium every test reports itself skipped, naming why.
 */
import { DescribePipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { BATCHES_OFF_MESSAGE } from '../../../local/console/batch-routes';
import { startLocalRuntime } from '../../../local/index';
import { startConsoleDemo } from '../../../scripts/console-demo';
import { accessProblems } from '../../support/local/axe';
import { useConsoleBrowser } from '../../support/local/console-browser';
import { fakeInvoker } from '../../support/local/runtime';

const WAIT_MS = 30_000;

describe('local console Batches view in Chromium', { timeout: 90_000 }, () => {
  const ui = useConsoleBrowser(() => startConsoleDemo({ services: true }));

  it("follows a batch's progress to all succeeded without reloading, then opens a child's execution", async () => {
    // Children slow enough (3 steps of 150-250 ms) that the bar is seen part way.
    ui.demo.local.runtime.setKnobs({ stepLatencyMs: [150, 250] });
    await ui.page.goto(`${ui.demo.local.url}/`);
    await ui.page.getByRole('link', { name: 'Batches' }).click();
    await ui.page.getByText('No batches yet.').waitFor();
    await ui.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[]; notReloaded: boolean }).seen = seen;
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]');
        const now = bar?.getAttribute('aria-valuenow');
        if (now && seen.at(-1) !== now) seen.push(now);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });

    const batchId = await ui.demo.submitBatch({
      items: ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => [item]),
      key: 'console-browser-batch-1',
      maxConcurrentExecutions: 2,
    });
    const row = ui.page.locator(`[data-batch="${batchId}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    await ui.page.locator(`[data-batch="${batchId}"][data-status="SUCCEEDED"]`).waitFor({
      timeout: WAIT_MS,
    });
    const bar = row.getByRole('progressbar', { name: `Batch ${batchId}: children finished` });
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('12');
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('12');
    expect(await bar.getAttribute('aria-valuetext')).toBe(
      '12 of 12 finished: 12 succeeded, 0 failed, 0 stopped, 0 running, 0 pending',
    );
    const legend = await row.locator('.bar-legend').textContent();
    expect(legend).toContain('12 of 12 finished');
    expect(legend).toContain('12 succeeded');
    const progress = await ui.page.evaluate(() => ({
      seen: (window as unknown as { seen: string[] }).seen.map(Number),
      notReloaded: (window as unknown as { notReloaded?: boolean }).notReloaded,
    }));
    expect(progress.notReloaded).toBe(true);
    // The bar moved through intermediate counts, never backwards.
    expect(progress.seen.some((n) => n > 0 && n < 12)).toBe(true);
    expect(progress.seen).toEqual([...progress.seen].sort((a, b) => a - b));

    expect(await accessProblems(ui.page)).toEqual([]);

    await row.getByRole('link', { name: batchId }).click();
    await ui.page.locator('[data-batch-status="SUCCEEDED"]').waitFor();
    const children = ui.page.locator('[data-child]');
    await expect.poll(() => children.count()).toBe(12);
    expect(await ui.page.locator('[data-child][data-status="SUCCEEDED"]').count()).toBe(12);
    expect(await accessProblems(ui.page)).toEqual([]);
    const child = ui.page.locator('[data-child="child-pipeline-2#3"]');
    const link = child.getByRole('link', { name: /of child-pipeline-2, item 3$/ });
    await link.click();
    await ui.page.locator('[data-execution-status="Succeeded"]').waitFor({ timeout: WAIT_MS });
    await ui.page.locator('[data-step="SplitItem"][data-status="Succeeded"]').waitFor();
    expect(await ui.page.locator('h2').textContent()).toMatch(
      new RegExp(`^Execution batch-${batchId}-3`),
    );
    ui.demo.local.runtime.setKnobs({ stepLatencyMs: [0, 0] });
  });

  it("shows a failed child's reason beside the link to its execution", async () => {
    // An item the child cannot read (not a JSON array) fails its first step.
    const batchId = await ui.demo.submitBatch({
      items: ['not-a-list'],
      key: 'console-browser-batch-2',
      maxConcurrentExecutions: 1,
      pipelines: ['child-pipeline-1'],
    });
    await ui.page.goto(`${ui.demo.local.url}/#/batches/${batchId}`);
    await ui.page.locator('[data-batch-status="FAILED"]').waitFor({ timeout: WAIT_MS });
    const child = ui.page.locator('[data-child="child-pipeline-1#0"][data-status="FAILED"]');
    await child.waitFor({ timeout: WAIT_MS });
    const arn = (await child.getByRole('link').getAttribute('href'))?.replace('#/executions/', '');
    const described = await ui.demo.client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: decodeURIComponent(arn ?? '') }),
    );
    expect(described.PipelineExecutionStatus).toBe('Failed');
    expect(await child.locator('.failure-reason').textContent()).toBe(described.FailureReason);
    expect(await ui.page.locator('.bar-legend').textContent()).toContain('1 failed');
  });

  it('says batches are not running locally when the runtime has no services', async () => {
    const bare = await startLocalRuntime({ invoker: fakeInvoker({}), services: false });
    try {
      ui.expectedFailures.add(`${bare.url}/_local/batches`);
      await ui.page.goto(`${bare.url}/#/batches`);
      const note = ui.page.locator('[data-batches-off]');
      await note.waitFor();
      expect(await note.textContent()).toBe(BATCHES_OFF_MESSAGE);
      expect(await accessProblems(ui.page)).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
