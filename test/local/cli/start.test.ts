import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localSageMakerClient } from '../../../local/client';
import {
  awsCliInstalled,
  bareEnvironment,
  executionArnsIn,
  finalStatus,
  freePort,
  groupAlive,
  root,
  runInBash,
  type Started,
  npmStart as startInGroup,
  stopGroups,
  unsuccessfulExecutionsAt,
  waitForText,
  waitUntilGone,
} from '../../support/local/cli';

const groups: number[] = [];
const npmStart = (args: string[]): Started => startInGroup(args, groups);
const lambdaPorts: number[] = [];
afterEach(() => {
  // Whatever happened, leave no process behind, and no log of ours.
  for (const pid of groups.splice(0)) {
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  }
  for (const port of lambdaPorts.splice(0)) {
    rmSync(join(root, '.local-runtime', `serverless-offline-${port}.log`), { force: true });
  }
});

/** A free port for serverless-offline's Lambda API, whose log the test removes afterwards. */
async function lambdaPort(): Promise<number> {
  const port = await freePort();
  lambdaPorts.push(port);
  return port;
}

/** Port flags: a free runtime port and free serverless-offline ports. */
async function freshPorts(): Promise<string[]> {
  return [
    '--port',
    '0',
    '--http-port',
    String(await freePort()),
    '--lambda-port',
    String(await lambdaPort()),
  ];
}

/** The exit code, or 'timeout' if it is still running after `ms`. */
function exitWithin(started: Started, ms: number): Promise<number | null | 'timeout'> {
  return Promise.race([
    started.exited,
    new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), ms)),
  ]);
}

describe('npm start', () => {
  it('runs the parent pipeline through serverless-offline, prints the summary, and stops everything on SIGTERM', async () => {
    const [port, httpPort, offlinePort] = [await freePort(), await freePort(), await lambdaPort()];
    const started = npmStart([
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--lambda-port',
      String(offlinePort),
    ]);
    const offline = await waitForText(started, /serverless-offline ready \(pid (\d+)/, 150_000);
    const offlinePid = Number(offline[1]);
    groups.push(offlinePid);
    await waitForText(started, /Serving\. Press Ctrl-C to stop\./, 150_000);
    const output = started.output();
    expect(output).toMatch(
      /✔ FanOut +Succeeded batchId=\S+ +startedCount=6 +deferredCount=0 +failedCount=0 +complete=true/,
    );
    expect(output).toContain('parent: Succeeded');
    expect(output).toContain('summary: parent Succeeded; 6 child executions: 6 Succeeded, 0 not');
    expect(output).toMatch(/execution +pipeline +status +parameters +time/);
    expect(output.match(/child-pipeline-[12] +Succeeded +Item=\[/g)).toHaveLength(6);
    expect(output).toContain(
      `aws sagemaker list-pipeline-executions --pipeline-name child-pipeline-1 --endpoint-url http://127.0.0.1:${port}`,
    );

    // The runtime keeps serving SageMaker's API after the summary, and lists what ends.
    const health = await fetch(`http://127.0.0.1:${port}/_local/health`);
    expect(health.status).toBe(200);
    const client = localSageMakerClient(`http://127.0.0.1:${port}`);
    await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'child-pipeline-2',
        PipelineExecutionDisplayName: 'after-start',
      }),
    );
    client.destroy();
    await waitForText(started, /child-pipeline-2 {2}after-start {2}Succeeded/, 60_000);

    // As Ctrl-C does: signal the whole foreground group (npm, tsx, node).
    const group = started.child.pid as number;
    process.kill(-group, 'SIGTERM');
    await started.exited;
    await waitUntilGone(group, offlinePid);
    expect(groupAlive(group)).toBe(false);
    expect(started.output()).toContain(
      `SIGTERM: stopping serverless-offline (pid ${offlinePid}) and the runtime...`,
    );
    expect(groupAlive(offlinePid)).toBe(false);
    // The shutdown ran to its end (one signal, delivered twice by npm and tsx, is one request).
    expect(existsSync(join(root, '.local-runtime', `esbuild-${offlinePort}`))).toBe(false);
  }, 240_000);

  it('stops serverless-offline when interrupted while it is still starting', async () => {
    const started = npmStart(await freshPorts());
    const group = started.child.pid as number;
    // Interrupt once serverless-offline exists but before it is ready.
    const spawned = await waitForText(started, /serverless-offline pid (\d+), building/, 60_000);
    const offlinePid = Number(spawned[1]);
    groups.push(offlinePid);
    process.kill(-group, 'SIGINT');
    await waitForText(
      started,
      /SIGINT: stopping serverless-offline \(pid \d+\) and the runtime/,
      30_000,
    );
    expect(started.output()).toContain(`SIGINT: stopping serverless-offline (pid ${offlinePid})`);
    expect(started.output()).not.toContain('serverless-offline ready');
    await started.exited;
    await waitUntilGone(group, offlinePid);
    expect(groupAlive(offlinePid)).toBe(false);
    expect(groupAlive(group)).toBe(false);
  }, 120_000);

  it('says clearly when serverless-offline does not come up in time, and leaves nothing running', async () => {
    const started = npmStart([...(await freshPorts()), '--offline-timeout-ms', '1']);
    expect(await exitWithin(started, 60_000)).toBe(1);
    expect(started.output()).toMatch(
      /serverless-offline failed to start: serverless-offline was not listening on 127\.0\.0\.1:\d+ after 0 s/,
    );
    expect(started.output()).toContain('npm start -- --in-process');
    expect(groupAlive(started.child.pid as number)).toBe(false);
  }, 90_000);

  it('runs everything in one process with --in-process (no serverless-offline)', async () => {
    const started = npmStart(['--port', '0', '--in-process', '--exit']);
    expect(await exitWithin(started, 60_000)).toBe(0);
    expect(started.output()).toContain(
      'Lambda steps       in-process (no serverless-offline, no HTTP API)',
    );
    expect(started.output()).toContain(
      'summary: parent Succeeded; 6 child executions: 6 Succeeded, 0 not',
    );
    expect(started.output()).not.toContain('serverless-offline ready');
  }, 90_000);

  it("shows why the parent failed from its failed step, not from the execution's own reason", async () => {
    const started = npmStart(['--port', '0', '--in-process', '--exit', '--param', 'Items=[]']);
    expect(await exitWithin(started, 60_000)).toBe(1);
    expect(started.output()).toMatch(
      /^parent: Failed \(step NoItems: Nothing to fan out: parameter Items holds no items: \[\]\)$/m,
    );
    expect(started.output()).toContain('summary: parent Failed; no child executions');
  }, 90_000);

  it('names a busy port and the flag to change it', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const address = busy.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const started = npmStart(['--port', String(port), '--in-process', '--exit']);
      expect(await exitWithin(started, 50_000)).toBe(1);
      expect(started.output()).toContain(
        `port ${port} on 127.0.0.1 is already in use (another npm start?): pass --port to use another`,
      );
    } finally {
      await new Promise<void>((done) => busy.close(() => done()));
    }
  }, 60_000);

  it('lets the fan-out start every child pipeline of the pipelines folder (--pipelines, --exit)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-pipelines-'));
    for (const name of ['child-pipeline-1', 'child-pipeline-2']) {
      copyFileSync(join(root, 'pipelines', `${name}.json`), join(dir, `${name}.json`));
    }
    copyFileSync(join(root, 'pipelines/child-pipeline-1.json'), join(dir, 'child-three.json'));
    const parent = readFileSync(join(root, 'pipelines/parent.json'), 'utf8').replace(
      '"[\\"child-pipeline-1\\",\\"child-pipeline-2\\"]"',
      '"[\\"child-pipeline-1\\",\\"child-pipeline-2\\",\\"child-three\\"]"',
    );
    expect(parent).toContain('child-three');
    writeFileSync(join(dir, 'parent.json'), parent);
    const started = npmStart([...(await freshPorts()), '--pipelines', dir, '--exit']);
    const code = await exitWithin(started, 150_000);
    expect(started.output()).toContain(
      'summary: parent Succeeded; 9 child executions: 9 Succeeded, 0 not',
    );
    expect(code).toBe(0);
  }, 180_000);
});

describe('the "Try next" lines npm start prints', () => {
  const tryGroups: number[] = [];
  let lines: string[] = [];
  let runtimeUrl = '';
  let offlinePort = 0;
  const env = bareEnvironment();
  const hasAws = awsCliInstalled(env);
  const usesAws = (line: string) => /(^|[|;&]\s*)([A-Z_]+=\S+\s+)*aws\s/.test(line);
  const outcomes: string[] = [];

  beforeAll(async () => {
    offlinePort = await freePort();
    const started = startInGroup(
      [
        '--port',
        '0',
        '--http-port',
        String(await freePort()),
        '--lambda-port',
        String(offlinePort),
      ],
      tryGroups,
    );
    await waitForText(started, /Serving\. Press Ctrl-C to stop\./, 150_000);
    const output = started.output();
    runtimeUrl = (output.match(/SageMaker API +(http:\/\/\S+)/) as RegExpMatchArray)[1] as string;
    const block = output.split(/^Try next[^\n]*\n/m)[1]?.split(/\n\n/)[0] ?? '';
    lines = block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }, 180_000);

  afterAll(async () => {
    await stopGroups(tryGroups);
    rmSync(join(root, '.local-runtime', `serverless-offline-${offlinePort}.log`), { force: true });
  });

  /** Runs one printed line as pasted; every execution it names must end Succeeded. */
  async function check(line: string): Promise<void> {
    const result = await runInBash(line, env);
    const shown = `${line}\nexit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    expect(result.code, shown).toBe(0);
    expect(result.stderr, shown).not.toMatch(/Unable to locate credentials|error/i);
    const client = localSageMakerClient(runtimeUrl);
    try {
      for (const arn of executionArnsIn(result.stdout)) {
        expect(`${arn}: ${await finalStatus(client, arn)}`, shown).toBe(`${arn}: Succeeded`);
      }
    } finally {
      client.destroy();
    }
    const batchUrl = /^curl -sS -X POST (\S+\/batches) /.exec(line)?.[1];
    if (batchUrl) {
      // A batch answers at once; it ends by itself: wait for GET /batches/{batchId} to say so.
      const { batchId } = JSON.parse(result.stdout) as { batchId: string };
      let batch: { status?: string; counts?: Record<string, number> } = {};
      for (let polls = 0; polls < 600; polls++) {
        batch = (await (await fetch(`${batchUrl}/${batchId}`)).json()) as typeof batch;
        if (batch.status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(batch, shown).toMatchObject({
        status: 'SUCCEEDED',
        counts: { total: 50, succeeded: 50 },
      });
    }
    outcomes.push(line);
  }

  it('prints the AWS CLI, npm, curl and Lambda invoke commands, with credentials for the AWS CLI', () => {
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter(usesAws).length).toBeGreaterThanOrEqual(3);
    for (const line of lines.filter(usesAws)) {
      expect(line).toMatch(/AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ aws /);
      expect(line).toMatch(/--region \S+/);
    }
    expect(lines.some((line) => line.startsWith('curl '))).toBe(true);
    expect(lines.some((line) => /^curl -sS -X POST \S+\/batches /.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('npm run local -- '))).toBe(true);
  });

  it('runs each line that needs no AWS CLI with no AWS configuration: exit 0, and what it starts succeeds', async () => {
    const others = lines.filter((line) => !usesAws(line));
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const line of others) await check(line);
  }, 180_000);

  it('runs each AWS CLI line with no ~/.aws and no AWS_* variables: exit 0, and what it starts succeeds', async (ctx) => {
    const awsLines = lines.filter(usesAws);
    if (!hasAws) {
      ctx.skip(
        `the AWS CLI is not installed ('aws' is not on PATH): ${awsLines.length} printed aws lines not run`,
      );
    }
    for (const line of awsLines) await check(line);
  }, 180_000);

  it('leaves every execution those lines started Succeeded (the fan-out children too)', async () => {
    expect(outcomes.length).toBeGreaterThan(0);
    expect(await unsuccessfulExecutionsAt(runtimeUrl)).toEqual([]);
  }, 180_000);
});
