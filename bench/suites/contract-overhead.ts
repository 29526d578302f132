/**
 * Warm per-invocation cost of the contract layer: each LambdaStep's full handler
 * (middy, Logger context, input validation, output checks) against its `run` alone,
 * invoked with its events/ fixture.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll, ROOT } from '../lib/build';
import { markdownTable, median, percentile, runProbe } from '../lib/measure';
import type { BenchSuite } from '../lib/suite';

/** Measured invocations per path (at least 10,000), after a warm-up. */
const INVOCATIONS = Math.max(10_000, Number(process.env.BENCH_INVOCATIONS ?? 20_000));
const WARMUP = 2_000;
/** Target from issue 2: at most 50 µs per invocation. */
const MAX_OVERHEAD_US = 50;

const us = (ns: number) => ns / 1000;

export const contractOverheadSuite: BenchSuite = {
  name: 'contract-overhead',
  description: 'warm per-invocation overhead of the contract layer over calling run directly',
  run: async () => {
    const steps = (await buildAll()).filter(
      (bundle) =>
        bundle.kind === 'lambda-step' && existsSync(join(ROOT, 'events', `${bundle.name}.json`)),
    );
    const rows = steps.map((bundle) => {
      const { handlerNs, runNs } = runProbe<{ handlerNs: number[]; runNs: number[] }>(
        'warm-probe.cjs',
        [
          bundle.file,
          join(ROOT, 'events', `${bundle.name}.json`),
          String(INVOCATIONS),
          String(WARMUP),
        ],
        bundle.environment,
      );
      const handlerUs = us(median(handlerNs));
      const runUs = us(median(runNs));
      const overheadUs = handlerUs - runUs;
      return {
        name: bundle.name,
        invocations: INVOCATIONS,
        medianHandlerUs: handlerUs,
        p90HandlerUs: us(percentile(handlerNs, 90)),
        medianRunUs: runUs,
        overheadUs,
        targetUs: MAX_OVERHEAD_US,
        passed: overheadUs <= MAX_OVERHEAD_US,
      };
    });
    const table = markdownTable(
      [
        'LambdaStep',
        'Handler median (µs)',
        'Handler p90 (µs)',
        'run median (µs)',
        'Overhead (µs)',
        'Target',
        'Pass',
      ],
      rows.map((row) => [
        row.name,
        row.medianHandlerUs.toFixed(1),
        row.p90HandlerUs.toFixed(1),
        row.medianRunUs.toFixed(1),
        row.overheadUs.toFixed(1),
        `≤${MAX_OVERHEAD_US} µs`,
        row.passed ? 'pass' : 'FAIL',
      ]),
    );
    const notes = `\n${INVOCATIONS.toLocaleString('en')} alternating invocations of each path after ${WARMUP.toLocaleString('en')} warm-up, built bundle, events/ fixture, POWERTOOLS_LOG_LEVEL=SILENT. Overhead = median(handler) − median(run).`;
    return {
      table: `${table}\n${notes}`,
      figures: { rows },
      passed: rows.every((row) => row.passed),
    };
  },
};
