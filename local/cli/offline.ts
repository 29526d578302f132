/**
 * Starts serverless-offline for `npm start` (HTTP API and Lambda invoke port on 127.0.0.1) in its
 * own process group, waits until its Lambda port answers, and stops it by PID and group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

export interface OfflineOptions {
  root: string;
  host: string;
  httpPort: number;
  lambdaPort: number;
  stage: string;
  env: Record<string, string>;
  /**
   * serverless-esbuild's work folder (serverless.yml reads ESBUILD_WORK_FOLDER), relative to root:
   * one per instance, so concurrent runs and test packaging never share a build; removed on stop.
   */
  workFolder?: string;
  /** serverless.yml params (`--param name=value`), e.g. the fan-out allow-list. */
  params?: Record<string, string>;
  /** serverless-offline's output goes here, not to the terminal. */
  logFile: string;
  readyTimeoutMs: number;
}

export interface OfflineProcess {
  pid: number;
  logFile: string;
  /** Sends SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** serverless-offline did not come up (missing, crashed, or too slow); the message says which. */
export class OfflineStartError extends Error {
  override name = 'OfflineStartError';
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no output)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Signals a whole process group; a group that is already gone is not an error. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already exited.
    }
  }
}

/**
 * Spawns `node_modules/.bin/sls offline start` and resolves once its Lambda port accepts
 * connections.
 * @throws OfflineStartError when sls is missing, exits early, or is not ready in time.
 */
export async function startOffline(
  options: OfflineOptions,
  /** Called as soon as the process exists, so a Ctrl-C during start-up can stop it too. */
  onSpawn?: (process: OfflineProcess) => void,
): Promise<OfflineProcess> {
  const sls = join(options.root, 'node_modules', '.bin', 'sls');
  if (!existsSync(sls)) {
    throw new OfflineStartError(
      `${sls} not found: run npm ci first (or use npm start -- --in-process)`,
    );
  }
  if (!existsSync(join(options.root, 'serverless.yml'))) {
    throw new OfflineStartError(`no serverless.yml in ${options.root}`);
  }
  for (const [port, flag] of [
    [options.lambdaPort, '--lambda-port'],
    [options.httpPort, '--http-port'],
  ] as const) {
    if (await portOpen(options.host, port)) {
      throw new OfflineStartError(
        `port ${port} on ${options.host} is already in use (another npm start?): pass ${flag} to use another`,
      );
    }
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn(
    sls,
    [
      'offline',
      'start',
      '--stage',
      options.stage,
      '--host',
      options.host,
      '--httpPort',
      String(options.httpPort),
      '--lambdaPort',
      String(options.lambdaPort),
      // Handlers see only AWS_* variables unless asked; they need SAGEMAKER_ENDPOINT.
      '--localEnvironment',
      // The HTTP API routes use IAM authorizers, which serverless-offline cannot evaluate.
      '--noAuth',
      ...Object.entries(options.params ?? {}).flatMap(([name, value]) => [
        '--param',
        `${name}=${value}`,
      ]),
    ],
    {
      cwd: options.root,
      env: {
        ...process.env,
        ...options.env,
        ...(options.workFolder ? { ESBUILD_WORK_FOLDER: options.workFolder } : {}),
      },
      // Its own process group, so stopping it also stops the workers it spawns.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new OfflineStartError(`could not spawn ${sls}`);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (graceMs = 5000) => {
    if (!exited) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    }
    // Workers left in the group after the leader exits.
    killGroup(pid, 'SIGKILL');
    if (options.workFolder) {
      rmSync(join(options.root, options.workFolder), { recursive: true, force: true });
    }
  };
  onSpawn?.({ pid, logFile: options.logFile, stop });
  const deadline = Date.now() + options.readyTimeoutMs;
  while (!(await portOpen(options.host, options.lambdaPort))) {
    if (exited) {
      throw new OfflineStartError(
        `serverless-offline exited before it was ready; its last output (${options.logFile}):\n${tail(options.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop(1000);
      throw new OfflineStartError(
        `serverless-offline was not listening on ${options.host}:${options.lambdaPort} after ${Math.round(options.readyTimeoutMs / 1000)} s; its last output (${options.logFile}):\n${tail(options.logFile)}\nTry again, raise --offline-timeout-ms, or run without it: npm start -- --in-process`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { pid, logFile: options.logFile, stop };
}
