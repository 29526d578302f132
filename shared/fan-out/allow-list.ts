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
export const parseAllowList = (value: string | undefined): AllowList => {
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 1 && entries[0] === '*') return { kind: 'any' };
  for (const entry of entries) {
    if (entry === '*' || !PIPELINE_NAME_OR_ARN_PATTERN.test(entry) || entry.startsWith('arn:')) {
      throw new ConfigError(
        `${ALLOWED_PIPELINES_ENV}: must be comma-separated pipeline names or a lone *, received entry ${JSON.stringify(entry.slice(0, 60))}`,
      );
    }
  }
  return { kind: 'names', names: new Set(entries.map((entry) => entry.toLowerCase())) };
};

/**
 * Checks that every pipeline is allowed (by name, whether given by name or ARN).
 * @throws PipelineNotAllowedError listing every pipeline that is not.
 */
export const assertPipelinesAllowed = (
  allowList: AllowList,
  pipelines: readonly string[],
): void => {
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
};
