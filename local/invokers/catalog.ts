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
  /** The function's environment from serverless.yml: the provider's, then the function's own. */
  environment(key: string): Record<string, string>;
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

/** `environment:` maps in serverless.yml, with `params.default` to resolve `${param:...}` in them. */
export interface ConfiguredEnvironment {
  params: Map<string, string>;
  provider: Map<string, string>;
  functions: Map<string, Map<string, string>>;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** A scalar as YAML writes it on one line: unquoted (up to a ` #` comment) or quoted. */
function scalarOf(text: string): string {
  const value = text.trim();
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    return end > 0 ? value.slice(1, end) : value.slice(1);
  }
  const comment = value.search(/\s#/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

/**
 * The literal `environment:` settings in serverless.yml's text (`provider.environment` and
 * `functions.<key>.environment`) and the `params.default` values they may refer to.
 */
export function configuredEnvironmentIn(yaml: string): ConfiguredEnvironment {
  const configured: ConfiguredEnvironment = {
    params: new Map(),
    provider: new Map(),
    functions: new Map(),
  };
  let section = '';
  let fn: string | undefined;
  // The map that entries at `depth` spaces go into, while inside one.
  let target: { map: Map<string, string>; depth: number } | undefined;
  for (const line of yaml.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = indentOf(line);
    if (target && indent < target.depth) target = undefined;
    const entry = /^\s*([A-Za-z_][\w-]*):(.*)$/.exec(line);
    if (!entry) continue;
    const [, name = '', rest = ''] = entry;
    if (target && indent === target.depth) {
      target.map.set(name, scalarOf(rest));
      continue;
    }
    if (indent === 0) {
      section = name;
      fn = undefined;
    } else if (section === 'params' && indent === 2 && name === 'default') {
      target = { map: configured.params, depth: 4 };
    } else if (section === 'provider' && indent === 2 && name === 'environment') {
      target = { map: configured.provider, depth: 4 };
    } else if (section === 'functions' && indent === 2) {
      fn = name;
    } else if (section === 'functions' && indent === 4 && name === 'environment' && fn) {
      const map = new Map<string, string>();
      configured.functions.set(fn, map);
      target = { map, depth: 6 };
    }
  }
  return configured;
}

/**
 * A value with its `${self:service}`, `${sls:stage}` and `${param:name}` references resolved, as
 * the framework resolves them with the default params; undefined when it refers to anything else
 * (`${env:...}`, `${ssm:...}`), so the variable is left unset rather than set to a wrong value.
 */
export function resolveVariables(
  value: string,
  known: { service: string; stage: string; params: ReadonlyMap<string, string> },
): string | undefined {
  let unresolved = false;
  const resolved = value.replace(/\$\{([^}]*)\}/g, (_match, reference: string) => {
    const ref = reference.trim();
    if (ref === 'self:service') return known.service;
    if (ref === 'sls:stage') return known.stage;
    const param = /^param:([\w-]+)$/.exec(ref)?.[1];
    const paramValue = param === undefined ? undefined : known.params.get(param);
    if (paramValue !== undefined) return paramValue;
    unresolved = true;
    return '';
  });
  return unresolved ? undefined : resolved;
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
  const configured = configuredEnvironmentIn(yaml);
  const known = { service, stage, params: configured.params };
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
    environment(key) {
      const environment: Record<string, string> = {};
      for (const [name, value] of [
        ...configured.provider,
        ...(configured.functions.get(key) ?? new Map<string, string>()),
      ]) {
        const resolved = resolveVariables(value, known);
        if (resolved !== undefined) environment[name] = resolved;
      }
      return environment;
    },
  };
}
