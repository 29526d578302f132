/**
 * The console in a real browser for a test suite: Debian's chromium driven by playwright-core,
 * headless, against a console demo (scripts/console-demo.ts). Without chromium every test reports
 * itself skipped, naming why.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  chromiumMissing,
  type LaunchedBrowser,
  launchChromium,
} from '../../../scripts/console-browser';
import type { ConsoleDemo } from '../../../scripts/console-demo';

export interface ConsoleBrowser {
  /** The suite's demo runtime, started before its tests. */
  demo: ConsoleDemo;
  /** The current test's page, fresh for each test. */
  page: Page;
  /** Error answers a test expects (e.g. the 503 of a runtime without services), by URL. */
  expectedFailures: Set<string>;
}

/**
 * Starts `startDemo`'s runtime and Chromium for the suite and opens a page per test; a test fails
 * on any page error, console error or HTTP error answer it did not put in `expectedFailures`.
 */
export const useConsoleBrowser = (startDemo: () => Promise<ConsoleDemo>): ConsoleBrowser => {
  const missing = chromiumMissing();
  const ui = { expectedFailures: new Set<string>() } as ConsoleBrowser;
  let chromium: LaunchedBrowser | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    if (missing) return;
    ui.demo = await startDemo();
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await ui.demo?.close();
  });

  beforeEach(async (ctx) => {
    if (missing) return ctx.skip(missing);
    if (!chromium) throw new Error('Chromium did not start');
    pageErrors = [];
    ui.expectedFailures = new Set();
    const page = await chromium.context.newPage();
    ui.page = page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      const failedLoad = message.text().startsWith('Failed to load resource');
      if (message.type() === 'error' && !(failedLoad && ui.expectedFailures.size > 0))
        pageErrors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !ui.expectedFailures.has(response.url()))
        pageErrors.push(`${response.status()} ${response.url()}`);
    });
  });

  afterEach(async () => {
    if (missing) return;
    await ui.page.close();
    expect(pageErrors).toEqual([]);
  });

  return ui;
};
