import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME_PORT } from '../../../local/cli/defaults';
import { localSageMakerClient } from '../../../local/client';
import {
  awsCliInstalled,
  bareEnvironment,
  executionArnsIn,
  finalStatus,
  npmStart,
  portBusy,
  root,
  runInBash,
  stopGroups,
  unsuccessfulExecutionsAt,
  waitForText,
} from '../../support/local/cli';

/** The README's fenced bash blocks announced by a `<!-- local-example ... -->` line. */
function localExamples(markdown: string): Array<{ line: number; script: string }> {
  const lines = markdown.split('\n');
  const blocks: Array<{ line: number; script: string }> = [];
  lines.forEach((text, index) => {
    if (!text.startsWith('<!-- local-example')) return;
    if (lines[index + 1] !== '```bash') throw new Error(`README.md:${index + 1}: no bash block`);
    const end = lines.indexOf('```', index + 2);
    blocks.push({ line: index + 3, script: lines.slice(index + 2, end).join('\n') });
  });
  return blocks;
}

const examples = localExamples(readFileSync(join(root, 'README.md'), 'utf8'));
const runtimeUrl = `http://127.0.0.1:${DEFAULT_RUNTIME_PORT}`;

describe("the README's local-mode examples, pasted with npm start running and no AWS configuration", () => {
  const groups: number[] = [];
  const env = bareEnvironment();
  const hasAws = awsCliInstalled(env);
  let portTaken = false;

  beforeAll(async () => {
    // The examples name the default port, as a user's `npm start` serves it.
    portTaken = await portBusy(DEFAULT_RUNTIME_PORT);
    if (portTaken) return;
    const started = npmStart(['--in-process'], groups);
    await waitForText(started, /Serving\. Press Ctrl-C to stop\./, 120_000);
  }, 150_000);

  afterAll(() => stopGroups(groups));

  it('marks the examples of the CLI, the AWS CLI and invoking functions', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(examples.some((e) => e.script.includes('npm run local -- run'))).toBe(true);
    expect(examples.some((e) => e.script.includes('aws sagemaker send-pipeline-execution'))).toBe(
      true,
    );
    expect(examples.some((e) => e.script.includes('npm run invoke'))).toBe(true);
  });

  for (const example of examples) {
    it(`README.md:${example.line} runs as pasted: exit 0, and what it starts succeeds`, async (ctx) => {
      if (portTaken) {
        ctx.skip(`port ${DEFAULT_RUNTIME_PORT} is in use (an npm start already running?)`);
      }
      if (/(^|[|;&(]\s*)aws\s/m.test(example.script) && !hasAws) {
        ctx.skip("the AWS CLI is not installed ('aws' is not on PATH): this block was not run");
      }
      const result = await runInBash(example.script, env, { strict: true, timeoutMs: 240_000 });
      const shown = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      expect(result.code, shown).toBe(0);
      const client = localSageMakerClient(runtimeUrl);
      try {
        for (const arn of executionArnsIn(result.stdout)) {
          // `npm run local -- run` runs in a runtime of its own, gone when it exits 0 (Succeeded).
          const status = await finalStatus(client, arn).catch((error: Error) => {
            if (error.name === 'ResourceNotFound') return 'Succeeded';
            throw error;
          });
          expect(`${arn}: ${status}`, shown).toBe(`${arn}: Succeeded`);
        }
      } finally {
        client.destroy();
      }
    }, 300_000);
  }

  it('leaves every execution on the runtime Succeeded', async (ctx) => {
    if (portTaken)
      ctx.skip(`port ${DEFAULT_RUNTIME_PORT} is in use (an npm start already running?)`);
    expect(await unsuccessfulExecutionsAt(runtimeUrl)).toEqual([]);
  }, 180_000);
});
