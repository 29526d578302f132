/**
 * Instructions executed by `require()` of a bundle, counted by valgrind's callgrind in a fresh
 * `node --predictable` process (V8 single-threaded, with a fixed GC schedule), minus the count
 * of the same process requiring nothing. Runs of one bundle differ by about 0.05 % at most
 * (0.1 M of 186 M), however busy the machine, so this is the steady figure of init cost where
 * wall-clock and CPU time swing by tens of per cent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { MEASURED_ENV } from '../lib/measure';

const PROBE = resolve(import.meta.dirname, '..', 'probes', 'require-probe.cjs');

/** callgrind runs at once: each is single-threaded, and the counts do not depend on load. */
const PARALLEL = 2;

/** Why instructions cannot be counted here, or `undefined` when they can. */
export const instructionsUnavailable = (): string | undefined => {
  if (process.env.BENCH_INSTRUCTIONS === '0') return 'BENCH_INSTRUCTIONS=0';
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'valgrind is not installed';
};

const collected = (file: string | undefined, environment: Readonly<Record<string, string>>) =>
  new Promise<number>((done, fail) => {
    const child = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        process.execPath,
        '--predictable',
        PROBE,
        ...(file === undefined ? [] : [file]),
      ],
      { env: { ...environment, ...MEASURED_ENV }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const count = /Collected : (\d+)/.exec(stderr)?.[1];
      if (code === 0 && count !== undefined) done(Number(count));
      else
        fail(
          new Error(
            `callgrind of ${file ?? 'the empty probe'} failed: ${stderr.trim().split('\n').at(-1)}`,
          ),
        );
    });
  });

/**
 * Instructions of `require()` for each bundle, by name: the process's count minus that of the
 * same process requiring nothing.
 */
export const countInstructions = async (
  bundles: ReadonlyArray<{ name: string; file: string; environment: Record<string, string> }>,
): Promise<Map<string, number>> => {
  const empty = await collected(undefined, {});
  const counts = new Map<string, number>();
  const queue = [...bundles];
  const worker = async () => {
    for (let bundle = queue.shift(); bundle !== undefined; bundle = queue.shift()) {
      counts.set(bundle.name, (await collected(bundle.file, bundle.environment)) - empty);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return counts;
};
