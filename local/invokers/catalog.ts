/**
 * This project's Lambda functions and how a step's FunctionArn maps to one of them: by its key in
 * serverless.yml (`concat`) or by its deployed name (`sagemaker-pipeline-lambdas-dev-concat`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_SERVICE = 'sagemaker-pipeline-lambdas';

/** The Serverless Framework's timeout for a function when serverless.yml sets none (6 s). */
export const SERVERLESS_DEFAULT_TIMEOUT_S = 6;

export interface FunctionCatalog {
  root: string;
  service: string;
  stage: string;
  /** Function keys (folders `functions/<key>/handler.ts`), sorted. */
  keys: string[];
  /** The key a FunctionArn (or bare name) points at, if any. */
  resolve(functionArn: string): string | undefined;
  /** `<service>-<stage>-<key>`, the name serverless deploys the function under. */
  deployedName(key: string): string;
  /** The failure reason for a FunctionArn that maps to no function, listing the known ones. */
  unknownFunctionMessage(functionArn: string, extra?: string[]): string;
  /** The function's own timeout from serverless.yml, in milliseconds. */
  timeoutMs(key: string): number;
}

/** The function name inside a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function functionNameFromArn(functionArn: string): string {
  const marker = ':function:';
  const at = functionArn.indexOf(marker);
  const rest = at >= 0 ? functionArn.slice(at + marker.length) : functionArn;
  return rest.split(':')[0] ?? rest;
}

/** The text of serverless.yml under `root`, or '' when there is none. */
function readServerlessYml(root: string): string {
  const file = join(root, 'serverless.yml');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The service name in serverless.yml's text (`service: name`), or the project's default. */
export function serviceNameIn(yaml: string): string {
  const match = /^service:\s*['"]?([A-Za-z0-9-]+)/m.exec(yaml);
  return match?.[1] ?? DEFAULT_SERVICE;
}

/** `timeout:` values in serverless.yml, in seconds: the provider's and each function's. */
export interface ConfiguredTimeouts {
  provider: number | undefined;
  functions: Map<string, number>;
}

/**
 * The literal `timeout:` settings in serverless.yml's text: `provider.timeout` and
 * `functions.<key>.timeout`. A value that is not a plain number (a `${param:...}`, say) is
 * left out, so the function falls back to the provider's timeout or the framework's default.
 */
export function configuredTimeoutsIn(yaml: string): ConfiguredTimeouts {
  const timeouts: ConfiguredTimeouts = { provider: undefined, functions: new Map() };
  let section = '';
  let fn: string | undefined;
  for (const line of yaml.split('\n')) {
    const top = /^([A-Za-z][\w-]*):/.exec(line);
    if (top) {
      section = top[1] ?? '';
      fn = undefined;
      continue;
    }
    if (section === 'provider') {
      const match = /^ {2}timeout:\s*(\d+)\s*(#.*)?$/.exec(line);
      if (match) timeouts.provider = Number(match[1]);
    } else if (section === 'functions') {
      const key = /^ {2}([A-Za-z0-9_-]+):\s*(#.*)?$/.exec(line);
      if (key) fn = key[1];
      const match = /^ {4}timeout:\s*(\d+)\s*(#.*)?$/.exec(line);
      if (match && fn !== undefined) timeouts.functions.set(fn, Number(match[1]));
    }
  }
  return timeouts;
}

/** Lists `functions/<key>/handler.ts` folders; the folder name is the key in serverless.yml. */
export function loadFunctionCatalog(
  options: { root?: string; stage?: string } = {},
): FunctionCatalog {
  const root = options.root ?? PROJECT_ROOT;
  const stage = options.stage ?? 'dev';
  const yaml = readServerlessYml(root);
  const service = serviceNameIn(yaml);
  const dir = join(root, 'functions');
  const keys = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'handler.ts')))
        .map((entry) => entry.name)
        .sort()
    : [];
  const deployedName = (key: string) => `${service}-${stage}-${key}`;
  const timeouts = configuredTimeoutsIn(yaml);
  return {
    root,
    service,
    stage,
    keys,
    deployedName,
    resolve(functionArn) {
      const name = functionNameFromArn(functionArn);
      if (keys.includes(name)) return name;
      const exact = keys.find((key) => deployedName(key) === name);
      if (exact) return exact;
      // Deployed under another stage: `<service>-<stage>-<key>` with a stage without hyphens.
      if (name.startsWith(`${service}-`)) {
        const rest = name.slice(service.length + 1);
        const key = rest.slice(rest.indexOf('-') + 1);
        if (rest.includes('-') && keys.includes(key)) return key;
      }
      return undefined;
    },
    unknownFunctionMessage(functionArn, extra = []) {
      const known = [...keys, ...extra];
      return `FunctionArn '${functionArn}' maps to no function of this project: known functions are ${known.join(', ') || '(none)'} (by key, or deployed as ${service}-${stage}-<key>)`;
    },
    timeoutMs(key) {
      const seconds =
        timeouts.functions.get(key) ?? timeouts.provider ?? SERVERLESS_DEFAULT_TIMEOUT_S;
      return seconds * 1000;
    },
  };
}
