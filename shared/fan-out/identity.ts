import { createHash } from 'node:crypto';
import {
  MAX_CLIENT_REQUEST_TOKEN_LENGTH,
  MAX_PIPELINE_EXECUTION_NAME_LENGTH,
  MIN_CLIENT_REQUEST_TOKEN_LENGTH,
} from '../limits';

/**
 * The identities of a fan-out: its batch id, and for each (pipeline, item) the
 * ClientRequestToken, display name and description of the child execution. All are
 * pure functions of the request, so a retried or resumed request derives the same ones.
 */

/** Length of a batch id: 12 hex digits (48 bits) of SHA-256, short enough for display names. */
export const BATCH_ID_LENGTH = 12;
export const BATCH_ID_PATTERN = /^[0-9a-f]{12}$/;

/** The prefix used when the request gives none. */
export const DEFAULT_DISPLAY_NAME_PREFIX = 'fan-out';

/** Most digits an item index takes: items are 0 to 9,999. */
const MAX_INDEX_DIGITS = 4;

/** Versions the token derivation, so a future change can never collide with today's tokens. */
const TOKEN_SCHEME = 'fan-out/v1';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The batch id: a short stable hash of the batch key. */
export const batchIdOf = (batchKey: string): string =>
  sha256Hex(`${TOKEN_SCHEME}\nbatch\n${batchKey}`).slice(0, BATCH_ID_LENGTH);

/**
 * JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` give the same
 * token whichever way the caller serialised the item. Items are depth-limited by the
 * request schema, so recursion is bounded.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** The pipeline's name, whether it is given by name or by ARN (`...:pipeline/<name>`). */
export function pipelineNameOf(pipelineNameOrArn: string): string {
  const slash = pipelineNameOrArn.lastIndexOf('/');
  return pipelineNameOrArn.startsWith('arn:') && slash >= 0
    ? pipelineNameOrArn.slice(slash + 1)
    : pipelineNameOrArn;
}

/**
 * The `ClientRequestToken` of one (pipeline, item): SHA-256 hex (64 characters, within
 * the `IdempotencyToken` shape's 32 to 128) of the batch key, the pipeline's name (so a
 * name and its ARN give the same token), the index and the item's canonical JSON.
 * SageMaker returns the existing execution for a token it has seen, so the same
 * (pipeline, item) is never started twice however often the request is re-sent.
 */
export function clientRequestToken(
  batchKey: string,
  pipeline: string,
  index: number,
  itemJson: string,
): string {
  const token = sha256Hex(
    `${TOKEN_SCHEME}\n${batchKey}\n${pipelineNameOf(pipeline).toLowerCase()}\n${index}\n${itemJson}`,
  );
  // 64 characters: the bounds hold by construction; the check documents them.
  if (
    token.length < MIN_CLIENT_REQUEST_TOKEN_LENGTH ||
    token.length > MAX_CLIENT_REQUEST_TOKEN_LENGTH
  ) {
    throw new RangeError(`ClientRequestToken of ${token.length} characters is out of bounds`);
  }
  return token;
}

/**
 * Turns a free-form prefix into one that fits `PipelineExecutionName`
 * (`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`): every run of other characters (underscores,
 * spaces, dots) becomes one hyphen, leading and trailing hyphens go, and it is cut so
 * that `<prefix>-<batchId>-<index>` stays within 82 characters for every index.
 * Returns `''` when nothing usable is left.
 */
export function sanitizeDisplayNamePrefix(prefix: string): string {
  const room = MAX_PIPELINE_EXECUTION_NAME_LENGTH - BATCH_ID_LENGTH - MAX_INDEX_DIGITS - 2;
  return prefix
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
}

/**
 * The display name of the child execution for one item: `<prefix>-<batchId>-<index>`.
 * The suffix is never cut, so two indexes of one batch never share a name.
 * @param prefix an already sanitised prefix (see {@link sanitizeDisplayNamePrefix}), may be empty.
 */
export const displayNameOf = (prefix: string, batchId: string, index: number): string =>
  prefix === '' ? `${batchId}-${index}` : `${prefix}-${batchId}-${index}`;

/** Matches a display name made by {@link displayNameOf} for `batchId`; group 1 is the index. */
export const displayNameMatcher = (batchId: string): RegExp =>
  new RegExp(`(?:^|-)${batchId}-(0|[1-9][0-9]{0,${MAX_INDEX_DIGITS - 1}})$`);
