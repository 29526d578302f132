import { ConfigError } from '../errors';
import { PIPELINE_NAME_OR_ARN_PATTERN } from '../limits';
import { PipelineNotAllowedError } from './errors';
import { pipelineNameOf } from './identity';

/** Name of the environment variable holding the allowed child pipelines. */
export const ALLOWED_PIPELINES_ENV = 'FAN_OUT_ALLOWED_PIPELINES';

/**
 * Which child pipelines a fan-out may start. Unset means none: allowing everything
 * takes an explicit `*`. IAM grants the same set, so this is a second, earlier line.
 */
export type AllowList =
  | { kind: 'none' }
  | { kind: 'any' }
  | { kind: 'names'; names: ReadonlySet<string> };

/**
 * Parses `FAN_OUT_ALLOWED_PIPELINES`: comma-separated pipeline names, or `*`.
 * @throws ConfigError naming an entry that is not a pipeline name.
 */
export function parseAllowList(value: string | undefined): AllowList {
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  const entries: string[] = [];
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry !== '') entries.push(entry);
  }
  if (entries.length === 1 && entries[0] === '*') return { kind: 'any' };
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry === '*' || !PIPELINE_NAME_OR_ARN_PATTERN.test(entry) || entry.startsWith('arn:')) {
      throw new ConfigError(
        `${ALLOWED_PIPELINES_ENV}: must be comma-separated pipeline names or a lone *, received entry ${JSON.stringify(entry.slice(0, 60))}`,
      );
    }
    names.add(entry.toLowerCase());
  }
  return { kind: 'names', names };
}

/** The partition, region and account a function runs in, from its own ARN. */
export interface Home {
  partition: string;
  region: string;
  account: string;
}

const ARN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):([0-9]*):(.*)$/;

/** The home of a function, from `context.invokedFunctionArn`; undefined when it is not an ARN. */
export function homeOf(invokedFunctionArn: string | undefined): Home | undefined {
  const match = ARN.exec(invokedFunctionArn ?? '');
  if (match?.[2] !== 'lambda') return undefined;
  const [, partition = '', , region = '', account = ''] = match;
  return region === '' || account === '' ? undefined : { partition, region, account };
}

/**
 * Pipelines given by an ARN of another partition, region or account than `home` (or by
 * any ARN when `home` is unknown): the allow-list names pipelines of the function's own
 * account and region only, and IAM grants no other.
 */
const foreignArns = (pipelines: readonly string[], home: Home | undefined): string[] =>
  pipelines.filter((pipeline) => {
    if (!pipeline.startsWith('arn:')) return false;
    const match = ARN.exec(pipeline);
    return (
      home === undefined ||
      !match ||
      match[1] !== home.partition ||
      match[2] !== 'sagemaker' ||
      match[3] !== home.region ||
      match[4] !== home.account
    );
  });

/**
 * Checks that every pipeline is allowed: an ARN must be of the function's own account
 * and region, and the name (whether given by name or ARN) must be listed.
 * @throws PipelineNotAllowedError listing every pipeline that is not.
 */
export function assertPipelinesAllowed(
  allowList: AllowList,
  pipelines: readonly string[],
  home?: Home,
): void {
  const foreign = foreignArns(pipelines, home);
  if (foreign.length > 0) {
    throw new PipelineNotAllowedError(
      foreign,
      home === undefined
        ? "the function's own account and region are unknown here; give the pipeline by name"
        : `only pipelines of this function's own account ${home.account} and region ${home.region} may be started`,
    );
  }
  if (allowList.kind === 'any') return;
  if (allowList.kind === 'none') {
    throw new PipelineNotAllowedError(
      pipelines,
      `no child pipeline is allowed because ${ALLOWED_PIPELINES_ENV} is not set; set it to comma-separated pipeline names (or * to allow any)`,
    );
  }
  const refused = pipelines.filter(
    (pipeline) => !allowList.names.has(pipelineNameOf(pipeline).toLowerCase()),
  );
  if (refused.length > 0) {
    throw new PipelineNotAllowedError(refused, `not listed in ${ALLOWED_PIPELINES_ENV}`);
  }
}
