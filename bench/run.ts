/**
 * Benchmark runner: `npm run bench` runs every suite, `npm run bench -- <name> [...]`
 * runs the named ones (or an alias such as `lambda-steps`), `npm run bench -- --list`
 * lists them; `--items N` sizes the suites that take it (batches-100k). Each suite prints its
 * table to stdout and writes its figures to `bench/results/<suite>.json`.
 * `--strict` exits non-zero when a target is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { suiteAliases, suites } from './suites/index';

const args = process.argv.slice(2);
/** Flags followed by a value (`--items 10000`), which is not a suite name. */
const VALUE_FLAGS = new Set(['--items']);
const names = args
  .filter((arg, i) => !arg.startsWith('--') && !VALUE_FLAGS.has(args[i - 1] ?? ''))
  .flatMap((name) => suiteAliases[name] ?? [name]);
const strict = args.includes('--strict');

if (args.includes('--list')) {
  for (const suite of suites) console.log(`${suite.name}: ${suite.description}`);
  for (const [alias, targets] of Object.entries(suiteAliases)) {
    console.log(`${alias}: alias for ${targets.join(', ')}`);
  }
  process.exit(0);
}

const unknown = names.filter((name) => !suites.some((suite) => suite.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown bench suite ${unknown.join(', ')}; available: ${[...suites.map((s) => s.name), ...Object.keys(suiteAliases)].join(', ')}`,
  );
  process.exit(2);
}

const selected =
  names.length === 0
    ? suites.filter((suite) => !suite.onlyWhenNamed)
    : suites.filter((suite) => names.includes(suite.name));
const resultsDir = resolve(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });

const machine = {
  node: process.version,
  platform: process.platform,
  arch: process.arch,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpuCount: cpus().length,
};
console.log(
  `Node ${machine.node} on ${machine.platform}/${machine.arch}, ${machine.cpuCount} × ${machine.cpu}`,
);

let missed = 0;
for (const suite of selected) {
  console.log(`\n## ${suite.name}: ${suite.description}\n`);
  const result = await suite.run();
  console.log(result.table);
  if (!result.passed) missed++;
  writeFileSync(
    resolve(resultsDir, `${suite.name}.json`),
    `${JSON.stringify({ suite: suite.name, measuredAt: new Date().toISOString(), machine, passed: result.passed, figures: result.figures }, null, 2)}\n`,
  );
}
console.log(`\n${selected.length - missed} of ${selected.length} suites met their targets`);
if (strict && missed > 0) process.exit(1);
