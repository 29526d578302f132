/** Helpers for the tests that run `npm start` and the commands it and the README print. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribePipelineExecutionCommand,
  ListPipelinesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { executionStatus } from '../../../local/cli/render';
import { listAllExecutions, listAllSteps, localSageMakerClient } from '../../../local/client';

export const root = resolve(import.meta.dirname, '../../..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Whether something on 127.0.0.1 already listens on `port`. */
export async function portBusy(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', () => done(true));
    server.listen(port, '127.0.0.1', () => server.close(() => done(false)));
  });
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `npm start -- <args>` in its own process group, collecting stdout and stderr. */
export function npmStart(args: string[], groups: number[]): Started {
  let text = '';
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: root,
    detached: true,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  groups.push(child.pid as number);
  return { child, output: () => text, exited };
}

export async function waitForText(
  started: Started,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `npm start did not print ${pattern} (exit ${started.child.exitCode}); output:\n${started.output()}`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Waits (at most 30 s) until none of these process groups is alive. */
export async function waitUntilGone(...pids: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (pids.some(groupAlive) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Stops every process group in the list (SIGTERM, then SIGKILL what is left after 30 s). */
export async function stopGroups(groups: number[]): Promise<void> {
  const pids = groups.splice(0);
  for (const pid of pids) if (groupAlive(pid)) process.kill(-pid, 'SIGTERM');
  await waitUntilGone(...pids);
  for (const pid of pids) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
}

/**
 * The environment of a new user's shell: no AWS_* variable, no LOCAL_SAGEMAKER_ENDPOINT, and a
 * HOME that is an empty folder (so no ~/.aws).
 */
export function bareEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('AWS_') && name !== 'LOCAL_SAGEMAKER_ENDPOINT',
    ),
  );
  return { ...env, HOME: mkdtempSync(join(tmpdir(), 'bare-home-')) };
}

/** Whether the AWS CLI can be run in that environment. */
export function awsCliInstalled(env: NodeJS.ProcessEnv): boolean {
  return spawnSync('aws', ['--version'], { env, stdio: 'ignore' }).status === 0;
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` with `bash -c` in the project folder, as if pasted into a shell there. */
export function runInBash(
  script: string,
  env: NodeJS.ProcessEnv,
  options: { strict?: boolean; timeoutMs?: number } = {},
): Promise<ShellResult> {
  const flags = options.strict ? '-e -o pipefail' : '';
  return new Promise((done) => {
    // Through `| cat`, the script's stdout is a pipe as in a shell (Node's stdio pipes are sockets,
    // which `/dev/stdout` cannot be opened on); pipefail keeps the script's own exit code.
    const outer = `bash ${flags} -c "$1" | cat`;
    const child = spawn('bash', ['-o', 'pipefail', '-c', outer, 'bash', script], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      if (groupAlive(child.pid as number)) process.kill(-(child.pid as number), 'SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const EXECUTION_ARN =
  /arn:aws:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[A-Za-z0-9-]+\/execution\/[a-z0-9]+/g;

/** Every pipeline execution ARN a command printed. */
export const executionArnsIn = (text: string): string[] => [
  ...new Set(text.match(EXECUTION_ARN) ?? []),
];

const running = (status: string | undefined) => status === 'Executing' || status === 'Stopping';

/** Waits until the execution ends; its status, with the failed steps' reasons when it failed. */
export async function finalStatus(
  client: SageMakerClient,
  arn: string,
  timeoutMs = 120_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { PipelineExecutionStatus: status } = await client.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
    );
    if (!running(status) || Date.now() > deadline) {
      return executionStatus(String(status), await listAllSteps(client, arn));
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** Waits until no execution of any pipeline runs; then every execution that did not succeed. */
export async function unsuccessfulExecutions(
  client: SageMakerClient,
  timeoutMs = 120_000,
): Promise<string[]> {
  const { PipelineSummaries = [] } = await client.send(new ListPipelinesCommand({}));
  const arns: string[] = [];
  for (const pipeline of PipelineSummaries) {
    for (const summary of await listAllExecutions(client, String(pipeline.PipelineName))) {
      arns.push(String(summary.PipelineExecutionArn));
    }
  }
  const statuses = await Promise.all(
    arns.map(async (arn) => `${arn}: ${await finalStatus(client, arn, timeoutMs)}`),
  );
  return statuses.filter((line) => !line.endsWith(': Succeeded'));
}

/** {@link unsuccessfulExecutions} of the runtime at `runtimeUrl`, through a client of its own. */
export async function unsuccessfulExecutionsAt(runtimeUrl: string): Promise<string[]> {
  const client = localSageMakerClient(runtimeUrl);
  try {
    return await unsuccessfulExecutions(client);
  } finally {
    client.destroy();
  }
}
