/**
 * Bundle size and module init time of every function, next to its baseline:
 * LambdaSteps against a bare middy + Logger handler (issue 2), fan-out functions against a
 * handler made of the SageMaker client, middy and the Logger (issue 9, replacing issue 3's
 * SDK-only baseline, which stays as a row). Init is timed (wall clock and CPU) and, where
 * valgrind is installed, counted in instructions; the init target is judged on the instruction
 * ratio when there is one, on the wall-clock ratio otherwise.
 */
import { BARE, type Bundle, type BundleKind, buildAll, SDK_MIDDY_LOGGER } from '../lib/build';
import { markdownTable, median, percentile, runProbe } from '../lib/measure';
import type { BenchSuite } from '../lib/suite';
import { countInstructions, instructionsUnavailable } from './bundles-instructions';

/** Fresh processes per bundle; at least 15, odd so the median is one measurement. */
const RUNS = Math.max(15, Number(process.env.BENCH_INIT_RUNS ?? 21));

interface Target {
  baseline: string;
  /** Absent for bundles that are only compared, not judged. */
  limits?: { maxBytes: number; maxRatio: number };
}

/** Targets from issue 2 (LambdaSteps) and issue 9 (fan-out); other bundles are only compared. */
const TARGETS: Partial<Record<BundleKind, Target>> = {
  'lambda-step': { baseline: BARE, limits: { maxBytes: 60_000, maxRatio: 1.25 } },
  'fan-out': { baseline: SDK_MIDDY_LOGGER, limits: { maxBytes: 400_000, maxRatio: 1.1 } },
  reference: { baseline: BARE },
  other: { baseline: BARE },
};

interface Row {
  name: string;
  kind: BundleKind;
  bytes: number;
  initMs: number[];
  initCpuMs: number[];
  medianInitMs: number;
  p90InitMs: number;
  medianInitCpuMs: number;
  baseline?: string;
  /** Median init (wall) over the baseline's: judged when instructions were not counted. */
  ratio?: number;
  /** The same ratio in CPU time, which a busy machine disturbs less. */
  cpuRatio?: number;
  /** Instructions of `require()` (callgrind), for bundles with a target and their baselines. */
  instructions?: number;
  /** Instructions over the baseline's: the figure the target applies to when counted. */
  instructionRatio?: number;
  target?: { maxBytes: number; maxRatio: number };
  passed?: boolean;
  initError?: string;
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

/** Measures init time with the bundles interleaved, so drift hits them all alike. */
const measureInit = (
  bundles: readonly Bundle[],
): Map<string, { wall: number[]; cpu: number[] }> => {
  const times = new Map(
    bundles.map((bundle) => [bundle.name, { wall: [] as number[], cpu: [] as number[] }]),
  );
  for (let run = 0; run < RUNS; run++) {
    for (const bundle of bundles) {
      const { ms, cpuMs } = runProbe<{ ms: number; cpuMs: number }>(
        'init-probe.cjs',
        [bundle.file],
        bundle.environment,
      );
      times.get(bundle.name)?.wall.push(ms);
      times.get(bundle.name)?.cpu.push(cpuMs);
    }
  }
  return times;
};

export const bundlesSuite: BenchSuite = {
  name: 'bundles',
  description: 'minified bundle size and module init time of each function against its baseline',
  run: async () => {
    const bundles = await buildAll();
    const loadable = bundles.filter((bundle) => bundle.initError === undefined);
    const times = measureInit(loadable);
    const medians = new Map([...times].map(([name, t]) => [name, median(t.wall)]));
    const unavailable = instructionsUnavailable();
    const judged = loadable.filter((bundle) => TARGETS[bundle.kind]?.limits !== undefined);
    const counted = new Set([
      ...judged.map((bundle) => bundle.name),
      ...judged.map((bundle) => TARGETS[bundle.kind]?.baseline ?? ''),
    ]);
    const instructions =
      unavailable === undefined
        ? await countInstructions(loadable.filter((bundle) => counted.has(bundle.name)))
        : new Map<string, number>();
    const cpuMedians = new Map([...times].map(([name, t]) => [name, median(t.cpu)]));

    const rows: Row[] = bundles.map((bundle) => {
      const { wall: initMs = [], cpu: initCpuMs = [] } = times.get(bundle.name) ?? {};
      const row: Row = {
        name: bundle.name,
        kind: bundle.kind,
        bytes: bundle.bytes,
        initMs,
        initCpuMs,
        medianInitMs: median(initMs),
        p90InitMs: percentile(initMs, 90),
        medianInitCpuMs: median(initCpuMs),
        instructions: instructions.get(bundle.name),
      };
      if (bundle.initError !== undefined)
        return { ...row, initError: bundle.initError, passed: false };
      const target = TARGETS[bundle.kind];
      if (target === undefined) return row;
      const ratio = row.medianInitMs / (medians.get(target.baseline) ?? Number.NaN);
      const baselineInstructions = instructions.get(target.baseline);
      const instructionRatio =
        row.instructions === undefined || baselineInstructions === undefined
          ? undefined
          : row.instructions / baselineInstructions;
      const judgedRatio = instructionRatio ?? ratio;
      return {
        ...row,
        baseline: target.baseline,
        ratio,
        cpuRatio: row.medianInitCpuMs / (cpuMedians.get(target.baseline) ?? Number.NaN),
        instructionRatio,
        target: target.limits,
        passed:
          target.limits === undefined
            ? undefined
            : bundle.bytes <= target.limits.maxBytes && judgedRatio <= target.limits.maxRatio,
      };
    });

    const table = markdownTable(
      [
        'Bundle',
        'Kind',
        'Size (kB)',
        'Init median (ms)',
        'Init p90 (ms)',
        'Init CPU median (ms)',
        'Baseline',
        'Ratio',
        'CPU ratio',
        'Instructions (M)',
        'Instr. ratio',
        'Target',
        'Pass',
      ],
      rows.map((row) => [
        row.name,
        row.kind,
        kB(row.bytes),
        row.initError === undefined ? row.medianInitMs.toFixed(2) : 'init failed',
        row.initError === undefined ? row.p90InitMs.toFixed(2) : '—',
        row.initError === undefined ? row.medianInitCpuMs.toFixed(2) : '—',
        row.baseline?.replace('baseline:', '') ?? '—',
        row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`,
        row.cpuRatio === undefined ? '—' : `${row.cpuRatio.toFixed(2)}×`,
        row.instructions === undefined ? '—' : (row.instructions / 1e6).toFixed(1),
        row.instructionRatio === undefined ? '—' : `${row.instructionRatio.toFixed(3)}×`,
        row.target === undefined
          ? '—'
          : `≤${kB(row.target.maxBytes)} kB, ≤${row.target.maxRatio.toFixed(2)}×`,
        row.passed === undefined ? '—' : row.passed ? 'pass' : 'FAIL',
      ]),
    );
    const errors = rows
      .filter((row) => row.initError !== undefined)
      .map((row) => `\n${row.name}: ${row.initError}`)
      .join('');
    const judgedOn = unavailable === undefined ? 'instructions' : 'wall';
    const instructionNote =
      unavailable === undefined
        ? " Instructions = instructions executed by require() of the bundle under valgrind --tool=callgrind node --predictable, minus those of the same process requiring nothing (bundles with a target and their baselines); Instr. ratio = that over the baseline's. The init target is judged on the instruction ratio, which is repeatable on a busy machine."
        : ` Instructions were not counted (${unavailable}): the init target is judged on the wall-clock ratio.`;
    const notes = `\nkB = 1,000 bytes of the minified .cjs bundle. Init = time to require() the bundle, measured inside each of ${RUNS} fresh node processes per bundle (interleaved), POWERTOOLS_LOG_LEVEL=SILENT. Ratio = median init over the baseline's median init (wall clock); CPU ratio = the same in process CPU time, steadier on a busy machine.${instructionNote}${errors}`;
    return {
      table: `${table}\n${notes}`,
      figures: { runs: RUNS, judgedOn, rows },
      passed: rows.every((row) => row.passed !== false),
    };
  },
};
