/** Fresh-process measurements, and the statistics the tables show. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The whole environment of a measured process. Logging is silenced
 * (POWERTOOLS_LOG_LEVEL=SILENT) so that writing log lines does not dominate the
 * figures; nothing else from the caller's environment leaks in.
 */
export const MEASURED_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_SERVICE_NAME: 'sagemaker-pipeline-lambdas',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PROBES = resolve(import.meta.dirname, '..', 'probes');

/**
 * Runs a probe script in a fresh `node` process and parses the JSON it prints. `environment`
 * (a function's own, from serverless.yml) comes first; {@link MEASURED_ENV} overrides it.
 */
export const runProbe = <T>(
  probe: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): T => {
  const result = spawnSync(process.execPath, [resolve(PROBES, probe), ...args], {
    env: { ...environment, ...MEASURED_ENV },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  if (result.status !== 0) {
    const detail = (result.stderr || String(result.error ?? '')).trim().split('\n')[0];
    throw new Error(`${probe} ${args[0] ?? ''} failed: ${detail}`);
  }
  return JSON.parse(result.stdout) as T;
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** Executions per item index, from children's display names ending in `-<index>`; others are skipped. */
export const executionsPerItem = (
  displayNames: Iterable<string | undefined>,
): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const name of displayNames) {
    const match = /-(\d+)$/.exec(name ?? '');
    if (!match) continue;
    const index = Number(match[1]);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
};

/** Of items 0 to `items` - 1: the extra executions (duplicates) and the items with none (missing). */
export const itemCoverage = (perItem: ReadonlyMap<number, number>, items: number) => ({
  duplicates: [...perItem.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
  missing: Array.from({ length: items }, (_, i) => i).filter((i) => !perItem.has(i)).length,
});

/** Whether every item ran exactly once: no duplicates and none missing. */
export const exactlyOnce = (coverage: { duplicates: number; missing: number }): boolean =>
  coverage.duplicates === 0 && coverage.missing === 0;

/**
 * The most executions running at once, from their start and end times (one still running has no
 * end; an end sorts before a start at the same instant).
 */
export const peakConcurrency = (
  spans: ReadonlyArray<{ startTime: Date; endTime?: Date | undefined }>,
): number => {
  const edges = spans.flatMap((span) => [
    { at: span.startTime.getTime(), delta: 1 },
    { at: (span.endTime ?? new Date(8.64e15)).getTime(), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) {
    running += edge.delta;
    peak = Math.max(peak, running);
  }
  return peak;
};

/** A Markdown table, so the output can go straight into the README. */
export const markdownTable = (
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): string => {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};
