/**
 * serverless.yml read as the framework reads it, for local mode: `${self:service}`, `${sls:stage}`,
 * `${param:...}` (the default params, or overrides), `${file(...)}` and `${file(x.cjs):export}`
 * resolved, CloudFormation's short tags (`!Ref`, `!GetAtt`, `!Sub`...) turned into their long
 * forms. {@link resolveIntrinsics} then gives local values to `Ref`, `Fn::GetAtt` and `Fn::Sub`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import type { LocalAccount } from '../account';
import { LocalError } from '../errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** serverless.yml cannot be read or refers to something local mode cannot resolve. */
export class TemplateError extends LocalError {}

/** The short forms of CloudFormation's intrinsic functions (CloudFormation User Guide, "Intrinsic function reference"). */
const INTRINSICS = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Base64',
  'Cidr',
  'GetAZs',
  'ImportValue',
  'Condition',
];

const TAGS = INTRINSICS.flatMap((name) =>
  (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) =>
      new yaml.Type(`!${name}`, {
        kind,
        construct: (data: unknown) => {
          if (name === 'Ref' || name === 'Condition') return { [name]: data };
          if (name === 'GetAtt' && typeof data === 'string') {
            const at = data.indexOf('.');
            return { 'Fn::GetAtt': [data.slice(0, at), data.slice(at + 1)] };
          }
          return { [`Fn::${name}`]: data };
        },
      }),
  ),
);

const SCHEMA = yaml.DEFAULT_SCHEMA.extend(TAGS);

export interface ServerlessTemplate {
  root: string;
  service: string;
  stage: string;
  params: Record<string, string>;
  provider: JsonObject;
  functions: Record<string, JsonObject>;
  /** `resources.Resources`, by logical id. */
  resources: Record<string, JsonObject>;
}

export interface TemplateOptions {
  root: string;
  stage?: string;
  /** Overrides of `params.default` (e.g. `allowedPipelines`). */
  params?: Record<string, string>;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const REFERENCE = /\$\{([^{}]+)\}/;

/** Reads serverless.yml under `root` with every `${...}` variable resolved. */
export async function loadServerlessTemplate(
  options: TemplateOptions,
): Promise<ServerlessTemplate> {
  const file = join(options.root, 'serverless.yml');
  if (!existsSync(file)) throw new TemplateError(`no serverless.yml in ${options.root}`);
  const raw = yaml.load(readFileSync(file, 'utf8'), { schema: SCHEMA });
  if (!isObject(raw)) throw new TemplateError(`${file} is not a mapping`);
  const stage = options.stage ?? 'dev';
  const service = typeof raw.service === 'string' ? raw.service : 'service';
  const defaults = isObject(raw.params) && isObject(raw.params.default) ? raw.params.default : {};
  const params: Record<string, string> = {
    ...Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, String(value)])),
    ...options.params,
  };
  const requireCjs = createRequire(file);

  const variable = async (reference: string): Promise<Json | undefined> => {
    const ref = reference.trim();
    if (ref === 'self:service') return service;
    if (ref === 'sls:stage' || ref === 'opt:stage') return stage;
    const param = /^param:([\w-]+)$/.exec(ref)?.[1];
    if (param !== undefined) return params[param];
    const fileRef = /^file\(([^)]+)\)(?::(\w+))?$/.exec(ref);
    if (fileRef) {
      const path = resolve(dirname(file), fileRef[1] ?? '');
      if (path.endsWith('.cjs') || path.endsWith('.js')) {
        const exported = (requireCjs(path) as Record<string, unknown>)[fileRef[2] ?? ''];
        const value =
          typeof exported === 'function'
            ? await exported({
                resolveVariable: async (name: string) => variable(name),
              })
            : exported;
        return value as Json;
      }
      const text = readFileSync(path, 'utf8');
      return (
        path.endsWith('.json') ? JSON.parse(text) : yaml.load(text, { schema: SCHEMA })
      ) as Json;
    }
    return undefined;
  };

  const resolveValue = async (value: Json): Promise<Json> => {
    if (typeof value === 'string') {
      const whole = /^\$\{([^{}]+)\}$/.exec(value);
      if (whole) {
        const resolved = await variable(whole[1] ?? '');
        return resolved === undefined ? value : resolveValue(resolved);
      }
      let text = value;
      for (let match = REFERENCE.exec(text); match; match = REFERENCE.exec(text)) {
        const resolved = await variable(match[1] ?? '');
        if (resolved === undefined || isObject(resolved) || Array.isArray(resolved)) return text;
        text = text.replace(match[0], String(resolved));
      }
      return text;
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolveValue));
    if (isObject(value)) {
      const entries = await Promise.all(
        Object.entries(value).map(
          async ([key, child]) => [key, await resolveValue(child)] as const,
        ),
      );
      return Object.fromEntries(entries);
    }
    return value;
  };

  const section = async (value: unknown): Promise<JsonObject> =>
    isObject(value) ? ((await resolveValue(value)) as JsonObject) : {};
  const resources = isObject(raw.resources) ? await section(raw.resources.Resources) : {};
  const functions = await section(raw.functions);
  return {
    root: options.root,
    service,
    stage,
    params,
    provider: await section(raw.provider),
    functions: Object.fromEntries(
      Object.entries(functions).filter((entry): entry is [string, JsonObject] =>
        isObject(entry[1]),
      ),
    ),
    resources: Object.fromEntries(
      Object.entries(resources).filter((entry): entry is [string, JsonObject] =>
        isObject(entry[1]),
      ),
    ),
  };
}

/**
 * The function's logical id in the stack the framework generates: its key with `-` spelled
 * `Dash` and `_` spelled `Underscore`, first letter upper case, then `LambdaFunction`.
 */
export const functionLogicalId = (key: string): string =>
  `${key.charAt(0).toUpperCase()}${key.slice(1).replaceAll('-', 'Dash').replaceAll('_', 'Underscore')}LambdaFunction`;

/**
 * The name a resource has locally: its own name property, or its logical id (3+ characters);
 * a bucket's in lower case.
 */
export const localNameOf = (logicalId: string, resource: JsonObject | undefined): string => {
  const properties = isObject(resource?.Properties) ? resource.Properties : {};
  // S3 bucket names are lower case ("Bucket naming rules", S3 User Guide).
  if (resource?.Type === 'AWS::S3::Bucket') {
    const own = properties.BucketName;
    return (typeof own === 'string' ? own : logicalId).toLowerCase();
  }
  const own = properties.TableName ?? properties.QueueName ?? properties.Name;
  return typeof own === 'string' ? own : logicalId;
};

/** A resource's ARN locally (the service's ARN format with the local account and region). */
export const localArnOf = (
  template: ServerlessTemplate,
  account: LocalAccount,
  logicalId: string,
): string => {
  const { region, accountId } = account;
  const fn = Object.keys(template.functions).find((key) => functionLogicalId(key) === logicalId);
  if (fn !== undefined) {
    return `arn:aws:lambda:${region}:${accountId}:function:${template.service}-${template.stage}-${fn}`;
  }
  const resource = template.resources[logicalId];
  const name = localNameOf(logicalId, resource);
  switch (resource?.Type) {
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${region}:${accountId}:${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
    case 'AWS::Events::Rule':
      return `arn:aws:events:${region}:${accountId}:rule/${name}`;
    default:
      return `arn:aws:local:${region}:${accountId}:${logicalId}`;
  }
};

/** `Ref` of a resource locally: a queue's URL, any other resource's name. */
const localRefOf = (
  template: ServerlessTemplate,
  account: LocalAccount,
  logicalId: string,
): string => {
  const resource = template.resources[logicalId];
  const name = localNameOf(logicalId, resource);
  if (resource?.Type === 'AWS::SQS::Queue') {
    return `https://sqs.${account.region}.amazonaws.com/${account.accountId}/${name}`;
  }
  return name;
};

/**
 * A value with `Ref`, `Fn::GetAtt` (`Arn`, a queue's `QueueName`/`QueueUrl`), `Fn::Sub` and
 * `Fn::Join` evaluated against the local account; pseudo parameters `AWS::Region`,
 * `AWS::AccountId`, `AWS::Partition` (`aws`) and `AWS::URLSuffix`.
 */
export function resolveIntrinsics(
  value: Json,
  template: ServerlessTemplate,
  account: LocalAccount,
): Json {
  const pseudo: Record<string, string> = {
    'AWS::Region': account.region,
    'AWS::AccountId': account.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': `${template.service}-${template.stage}`,
  };
  const again = (child: Json) => resolveIntrinsics(child, template, account);
  if (Array.isArray(value)) return value.map(again);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = value[key] as Json;
    if (key === 'Ref' && typeof argument === 'string') {
      return pseudo[argument] ?? localRefOf(template, account, argument);
    }
    if (key === 'Fn::GetAtt' && Array.isArray(argument)) {
      const [logicalId, attribute] = argument.map(String) as [string, string];
      if (attribute === 'QueueName') return localNameOf(logicalId, template.resources[logicalId]);
      if (attribute === 'QueueUrl') return localRefOf(template, account, logicalId);
      return localArnOf(template, account, logicalId);
    }
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(argument)
        ? [String(argument[0]), (argument[1] ?? {}) as JsonObject]
        : [String(argument), {}];
      return text.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
        if (name in variables) return String(again(variables[name] as Json));
        if (pseudo[name] !== undefined) return pseudo[name];
        const [logicalId, attribute] = name.split('.') as [string, string | undefined];
        return String(
          again(attribute ? { 'Fn::GetAtt': [logicalId, attribute] } : { Ref: logicalId }),
        );
      });
    }
    if (key === 'Fn::Join' && Array.isArray(argument)) {
      const [separator, parts] = argument as [string, Json[]];
      return parts.map((part) => String(again(part))).join(separator);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, again(child)]));
}
