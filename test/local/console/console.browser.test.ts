/**
 * The console in a real browser: Debian's chromium driven by playwright-core, headless, against a
 * runtime started in this process with the project's functions and pipelines/*.json.
 * Without chromium every test reports itself skipped, naming why.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { pipelineGraph } from '../../../local/console/ui/graph';
import { startConsoleDemo } from '../../../scripts/console-demo';
import { accessProblems as axeProblems } from '../../support/local/axe';
import { useConsoleBrowser } from '../../support/local/console-browser';
import { deferred } from '../../support/local/runtime';

const root = resolve(import.meta.dirname, '../../..');
const PARENT_STEPS = pipelineGraph(
  readFileSync(resolve(root, 'pipelines/parent.json'), 'utf8'),
).nodes.map((n) => n.name);
const STEP_WAIT_MS = 20_000;

describe('local console in Chromium', { timeout: 60_000 }, () => {
  /** Released by a test to let the parent's FanOut function run. */
  let fanOutGate = deferred();
  let holdFanOut = false;
  const ui = useConsoleBrowser(() =>
    startConsoleDemo({
      beforeInvoke: async (request) => {
        if (holdFanOut && request.functionArn.endsWith(':sagemaker-pipeline-lambdas-dev-fan-out')) {
          holdFanOut = false;
          await fanOutGate.promise;
        }
      },
    }),
  );

  const start = async (pipeline: string, parameters: Record<string, string> = {}) => {
    const started = await ui.demo.client.send(
      new StartPipelineExecutionCommand({
        PipelineName: pipeline,
        PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    return started.PipelineExecutionArn as string;
  };
  const openExecution = (arn: string) =>
    ui.page.goto(`${ui.demo.local.url}/#/executions/${encodeURIComponent(arn)}`);
  const step = (name: string, status?: string) =>
    ui.page.locator(
      status ? `[data-step="${name}"][data-status="${status}"]` : `[data-step="${name}"]`,
    );
  const executionStatus = (status: string) =>
    ui.page.locator(`[data-execution-status="${status}"]`);
  const accessProblems = () => axeProblems(ui.page);

  it("draws every step of parent.json's definition, with its if/else branches", async () => {
    await ui.page.goto(`${ui.demo.local.url}/`);
    await ui.page.getByRole('link', { name: 'parent', exact: true }).click();
    await step('FanOut').waitFor();
    expect(
      await ui.page
        .locator('[data-step]')
        .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step'))),
    ).toEqual(expect.arrayContaining(PARENT_STEPS));
    expect(await ui.page.locator('[data-step]').count()).toBe(PARENT_STEPS.length);
    expect(await ui.page.locator('.graph-edges .edge').count()).toBe(6);
    expect(await ui.page.locator('.edge-label').allTextContents()).toEqual(
      expect.arrayContaining(['if true', 'else']),
    );
    await step('NoItems').focus();
    await ui.page.keyboard.press('Enter');
    await expect
      .poll(() => ui.page.locator('.panel h3').first().textContent())
      .toBe('Step NoItems');
    expect(await step('NoItems').getAttribute('aria-pressed')).toBe('true');
  });

  it('colours the steps of a running parent execution as they change, without reloading', async () => {
    fanOutGate = deferred();
    holdFanOut = true;
    await ui.page.goto(`${ui.demo.local.url}/#/pipelines/parent`);
    await step('FanOut').waitFor();
    await ui.page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const arn = await start('parent');
    // The executions table lists the new run from the event stream; its link opens it in place.
    const row = ui.page.locator(`[data-execution="${arn}"] a`);
    await row.waitFor({ timeout: STEP_WAIT_MS });
    await row.click();
    await step('FanOut', 'Executing').waitFor({ timeout: STEP_WAIT_MS });
    for (const name of ['BuildPrefix', 'InspectItems', 'HasItems', 'PlanBatches']) {
      await step(name, 'Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    }
    expect(await step('NoItems').getAttribute('data-status')).toBe('');
    fanOutGate.resolve();
    await step('FanOut', 'Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    await executionStatus('Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    await expect.poll(() => step('NoItems').textContent()).toContain('Not run');
    expect(
      await ui.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);

    await step('FanOut').click();
    const details = ui.page.locator('[data-details="FanOut"]');
    await expect.poll(() => details.textContent()).toContain('startedCount');
    const text = await details.textContent();
    expect(text).toContain('["child-pipeline-1","child-pipeline-2"]');
    expect(text).toContain(arn);
  });

  it('completes a Callback step from the page, and the execution then ends', async () => {
    const arn = await start('approval');
    await openExecution(arn);
    const card = ui.page.locator('[data-callback="Approve"]');
    await card.waitFor({ timeout: STEP_WAIT_MS });
    expect(await card.textContent()).toContain('churn-candidate');
    await step('Approve', 'Executing').waitFor();
    const succeed = ui.page.getByRole('form', { name: 'Succeed Approve' });
    await succeed.getByLabel('approved (Boolean)').selectOption('true');
    await succeed.getByLabel('score (Integer)').fill('7');
    await succeed.getByLabel('note (String)').fill('looks good');
    await succeed.getByRole('button', { name: 'Succeed' }).click();
    await step('Approve', 'Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    await step('Publish', 'Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    await executionStatus('Succeeded').waitFor({ timeout: STEP_WAIT_MS });
    await expect.poll(() => ui.page.locator('[data-callback]').count()).toBe(0);
    await step('Publish').click();
    await expect
      .poll(() => ui.page.locator('[data-details="Publish"]').textContent())
      .toContain('churn-candidatelooks good');
  });

  it("fails a Callback step from the page with a reason, and shows the step's failure reason", async () => {
    await ui.page.goto(`${ui.demo.local.url}/`);
    await ui.page.getByRole('link', { name: 'Callbacks' }).click();
    await ui.page.getByText('No callback is waiting.').waitFor();
    const arn = await start('approval');
    // The Callbacks page lists the new callback from the event stream, with the same forms.
    const fail = ui.page.getByRole('form', { name: 'Fail Approve' });
    await fail.waitFor({ timeout: STEP_WAIT_MS });
    await fail.getByLabel('Reason').fill('the candidate scored too low');
    await fail.getByRole('button', { name: 'Fail' }).click();
    await ui.page.getByText('No callback is waiting.').waitFor({ timeout: STEP_WAIT_MS });
    await openExecution(arn);
    await step('Approve', 'Failed').waitFor({ timeout: STEP_WAIT_MS });
    await executionStatus('Failed').waitFor({ timeout: STEP_WAIT_MS });
    await step('Approve').click();
    await expect
      .poll(() => ui.page.locator('[data-details="Approve"] .failure-reason').textContent())
      .toBe('the candidate scored too low');
  });

  it("shows a failed step's reason: parent.json with no items ends in its Fail step", async () => {
    const arn = await start('parent', { Items: '[]' });
    await openExecution(arn);
    await step('NoItems', 'Failed').waitFor({ timeout: STEP_WAIT_MS });
    await executionStatus('Failed').waitFor({ timeout: STEP_WAIT_MS });
    await step('NoItems').click();
    const reason = ui.page.locator('[data-details="NoItems"] .failure-reason');
    await expect
      .poll(() => reason.textContent())
      .toBe('Nothing to fan out: parameter Items holds no items: []');
    expect(await step('FanOut').getAttribute('data-status')).toBe('');
  });

  it('passes axe-core WCAG 2 AA checks on the pipelines list, a graph, and an execution with a waiting callback', async () => {
    await ui.page.goto(`${ui.demo.local.url}/`);
    await ui.page.getByRole('link', { name: 'approval', exact: true }).waitFor();
    expect(await accessProblems()).toEqual([]);
    await ui.page.goto(`${ui.demo.local.url}/#/pipelines/parent`);
    await step('FanOut').waitFor();
    await step('HasItems').click();
    expect(await accessProblems()).toEqual([]);
    const arn = await start('approval');
    await openExecution(arn);
    await ui.page.locator('[data-callback="Approve"]').waitFor({ timeout: STEP_WAIT_MS });
    await step('Prepare').click();
    await ui.page.locator('[data-details="Prepare"]').waitFor();
    expect(await accessProblems()).toEqual([]);
    await ui.page
      .getByRole('form', { name: 'Fail Approve' })
      .getByRole('button', { name: 'Fail' })
      .click();
    await executionStatus('Failed').waitFor({ timeout: STEP_WAIT_MS });
  });

  it('draws a definition in the shape the SageMaker Python SDK writes', async () => {
    await ui.demo.client.send(
      new (await import('@aws-sdk/client-sagemaker')).CreatePipelineCommand({
        PipelineName: 'abalone',
        PipelineDefinition: readFileSync(
          resolve(root, 'test/local/console/fixtures/sdk-abalone-pipeline.json'),
          'utf8',
        ),
        RoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
        ClientRequestToken: 'console-browser-abalone-0000000001',
      }),
    );
    await ui.page.goto(`${ui.demo.local.url}/#/pipelines/abalone`);
    await step('AbaloneMSEFail').waitFor();
    expect(await ui.page.locator('[data-step]').count()).toBe(6);
    expect(await ui.page.locator('.graph-edges .edge').count()).toBe(7);
  });
});
