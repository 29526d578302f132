/**
 * This project's Lambda functions and how a step's FunctionArn maps to one of them: by its key in
 * serverless.yml (`concat`) or by its deployed name (`sagemaker-pipeline-lambdas-dev-concat`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_SERVICE = 'sagemaker-pipeline-lambdas';

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
}

/** The function name inside a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function functionNameFromArn(functionArn: string): string {
  const marker = ':function:';
  const at = functionArn.indexOf(marker);
  const rest = at >= 0 ? functionArn.slice(at + marker.length) : functionArn;
  return rest.split(':')[0] ?? rest;
}

/** Reads the service name from serverless.yml (`service: name`), or the project's default. */
export function readServiceName(root: string): string {
  const file = join(root, 'serverless.yml');
  if (!existsSync(file)) return DEFAULT_SERVICE;
  const match = /^service:\s*['"]?([A-Za-z0-9-]+)/m.exec(readFileSync(file, 'utf8'));
  return match?.[1] ?? DEFAULT_SERVICE;
}

/** Lists `functions/<key>/handler.ts` folders; the folder name is the key in serverless.yml. */
export function loadFunctionCatalog(
  options: { root?: string; stage?: string } = {},
): FunctionCatalog {
  const root = options.root ?? PROJECT_ROOT;
  const stage = options.stage ?? 'dev';
  const service = readServiceName(root);
  const dir = join(root, 'functions');
  const keys = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'handler.ts')))
        .map((entry) => entry.name)
        .sort()
    : [];
  const deployedName = (key: string) => `${service}-${stage}-${key}`;
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
  };
}
