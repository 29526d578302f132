/** Builds every function in functions/ and the baselines, the way `sls package` does. */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFromServerless } from './esbuild-settings';
import { functionEnvironments } from './function-environment';
import { runProbe } from './measure';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const OUT_DIR = resolve(ROOT, 'bench', '.build');

export type BundleKind = 'baseline' | 'reference' | 'lambda-step' | 'fan-out' | 'other';

export interface Bundle {
  /** Function name (its folder in functions/) or baseline name. */
  name: string;
  kind: BundleKind;
  entry: string;
  /** The built `.cjs` file. */
  file: string;
  bytes: number;
  /**
   * The function's environment as serverless.yml declares it (local placeholders for refs);
   * empty for the baselines. Measured processes get it under MEASURED_ENV.
   */
  environment: Record<string, string>;
  /** Why the bundle could not be loaded, if it could not. */
  initError?: string;
}

/** The baseline each kind of function is compared with. */
export const BARE = 'baseline:bare-middy-logger';
/** Fan-out functions are judged against this one (issue 9): the SageMaker client, middy and Logger. */
export const SDK_MIDDY_LOGGER = 'baseline:sagemaker-middy-logger';
/** Issue 3's baseline, kept as a row to show what middy and the Logger add to the SDK alone. */
export const SDK_ONLY = 'baseline:sagemaker-sdk-only';
/** Not a baseline for any target: a no-op LambdaStep, to show what the contract library costs. */
export const NOOP_STEP = 'reference:no-op-lambda-step';

/** Every `functions/<name>/handler.ts`, sorted by name. */
export const discoverFunctions = (): string[] =>
  readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(ROOT, 'functions', name, 'handler.ts')))
    .sort();

/** Fan-out functions by name; any other function is judged as a LambdaStep if it carries a contract. */
export const isFanOut = (name: string): boolean =>
  name === 'fan-out' || name.startsWith('fan-out-');

const buildOne = async (
  name: string,
  entry: string,
  kind: BundleKind,
  environment: Record<string, string> = {},
): Promise<Bundle> => {
  const outdir = join(OUT_DIR, name.replace(/[^A-Za-z0-9-]/g, '_'));
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const options = esbuildOptionsFromServerless();
  await build({
    ...options,
    entryPoints: [entry],
    entryNames: 'handler',
    outdir,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const file = join(outdir, `handler${options.outExtension?.['.js'] ?? '.js'}`);
  return { name, kind, entry, file, bytes: statSync(file).size, environment };
};

let built: Promise<Bundle[]> | undefined;

/**
 * Loads a function bundle once in a fresh process (this also warms the file cache): a
 * function that is not fan-out and carries a contract is a LambdaStep.
 */
const classify = (bundle: Bundle): Bundle => {
  try {
    const { contract } = runProbe<{ contract: boolean }>(
      'init-probe.cjs',
      [bundle.file],
      bundle.environment,
    );
    return bundle.kind === 'other' && contract ? { ...bundle, kind: 'lambda-step' } : bundle;
  } catch (error) {
    return { ...bundle, initError: error instanceof Error ? error.message : String(error) };
  }
};

/**
 * Builds the baselines and every function (once per bench run). A function's kind is
 * `fan-out` by name, `lambda-step` if its handler carries a contract, else `other`.
 */
export const buildAll = (): Promise<Bundle[]> => {
  built ??= (async () => {
    const bundles = [
      await buildOne(BARE, join(ROOT, 'bench', 'baselines', 'bare-handler.ts'), 'baseline'),
      await buildOne(SDK_ONLY, join(ROOT, 'bench', 'baselines', 'sdk-only-handler.ts'), 'baseline'),
      await buildOne(
        SDK_MIDDY_LOGGER,
        join(ROOT, 'bench', 'baselines', 'sdk-middy-logger-handler.ts'),
        'baseline',
      ),
      await buildOne(
        NOOP_STEP,
        join(ROOT, 'bench', 'baselines', 'noop-lambda-step.ts'),
        'reference',
      ),
    ];
    const environments = await functionEnvironments(ROOT);
    for (const name of discoverFunctions()) {
      const entry = join(ROOT, 'functions', name, 'handler.ts');
      bundles.push(
        await buildOne(name, entry, isFanOut(name) ? 'fan-out' : 'other', environments[name]),
      );
    }
    return bundles.map(classify);
  })();
  return built;
};
