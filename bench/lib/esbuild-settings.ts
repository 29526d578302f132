/**
 * The esbuild options serverless-esbuild uses, read from `custom.esbuild` in
 * serverless.yml so the benchmark always builds exactly what `sls package` ships.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

type Scalar = string | boolean | number;
type Setting = Scalar | Scalar[];

/** serverless-esbuild options that steer the plugin, not the build. */
const PLUGIN_ONLY = new Set([
  'outputWorkFolder',
  'outputBuildFolder',
  'packager',
  'packagerOptions',
  'installExtraArgs',
  'keepOutputDirectory',
  'concurrency',
  'zipConcurrency',
  'nativeZip',
  'watch',
  'disableIncremental',
  'skipBuild',
  'skipRebuild',
]);

const scalar = (text: string): Scalar => {
  const value = text.replace(/\s+#.*$/, '').trim();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value.replace(/^(['"])(.*)\1$/, '$2');
};

/**
 * Reads the `custom.esbuild` block: `key: value` scalars, `key: []`, and `key:`
 * followed by `- item` lines. Enough YAML for this block, and it fails loudly otherwise.
 */
export const readEsbuildBlock = (yaml: string): Record<string, Setting> => {
  const lines = yaml.split('\n');
  const custom = lines.findIndex((line) => /^custom:\s*$/.test(line));
  const start = lines.findIndex((line, index) => index > custom && /^ {2}esbuild:\s*$/.test(line));
  if (custom < 0 || start < 0) throw new Error('serverless.yml has no custom.esbuild block');
  const settings: Record<string, Setting> = {};
  let listKey: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent <= 2) break;
    const item = /^ {6,}- (.+)$/.exec(line);
    if (item?.[1] !== undefined && listKey !== undefined) {
      (settings[listKey] as Scalar[]).push(scalar(item[1]));
      continue;
    }
    const entry = /^ {4}([A-Za-z]+):\s*(.*)$/.exec(line);
    if (entry?.[1] === undefined) throw new Error(`Cannot read serverless.yml line: ${line}`);
    const [, key, rest = ''] = entry;
    listKey = undefined;
    if (rest.trim() === '' || rest.trim() === '[]') {
      settings[key] = [];
      if (rest.trim() === '') listKey = key;
    } else {
      settings[key] = scalar(rest);
    }
  }
  return settings;
};

/** The esbuild options equivalent to serverless.yml's `custom.esbuild`. */
export const esbuildOptionsFromServerless = (
  serverlessYml = resolve(import.meta.dirname, '..', '..', 'serverless.yml'),
): BuildOptions => {
  const options: BuildOptions = {};
  for (const [key, value] of Object.entries(
    readEsbuildBlock(readFileSync(serverlessYml, 'utf8')),
  )) {
    if (PLUGIN_ONLY.has(key)) continue;
    switch (key) {
      case 'bundle':
      case 'minify':
        options[key] = value === true;
        break;
      case 'sourcemap':
        options.sourcemap = value === true;
        break;
      case 'target':
        options.target = String(value);
        break;
      case 'platform':
        options.platform = value as BuildOptions['platform'];
        break;
      case 'format':
        options.format = value as BuildOptions['format'];
        break;
      case 'outputFileExtension':
        options.outExtension = { '.js': String(value) };
        break;
      case 'mainFields':
        options.mainFields = (value as Scalar[]).map(String);
        break;
      case 'plugins':
        // serverless-esbuild requires this file, relative to the service directory.
        options.plugins = createRequire(import.meta.url)(
          resolve(dirname(serverlessYml), String(value)),
        ) as Plugin[];
        break;
      case 'exclude':
      case 'external':
        options.external = [...(options.external ?? []), ...(value as Scalar[]).map(String)];
        break;
      default:
        throw new Error(
          `serverless.yml sets custom.esbuild.${key}, which bench/lib/esbuild-settings.ts does not map yet`,
        );
    }
  }
  return options;
};
