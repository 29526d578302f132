import { createHash } from 'node:crypto';
// Batch ids are 12 hex digits, as the fan-out's, so the fan-out's template limits hold unchanged.
import { BATCH_ID_PATTERN, canonicalJson, pipelineNameOf } from '../fan-out/identity';
import { parseJsonText } from '../parsers';

export { BATCH_ID_PATTERN };

/**
 * Identities of a batch, all pure functions of the batch key and the request, so a retried
 * or redelivered call derives the same ones.
 */

/** Versions every derivation: a future scheme can never collide with today's ids and tokens. */
const SCHEME = 'batch/v1';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The batch id: a short stable hash of the batch key (its own scheme, apart from fan-outs'). */
export const batchIdOf = (batchKey: string): string =>
  sha256Hex(`${SCHEME}\nbatch\n${batchKey}`).slice(0, 12);

/** A canonical hash of a JSON value: equal values give equal hashes whatever their key order. */
export const fingerprintOf = (value: unknown): string => sha256Hex(canonicalJson(value));

/**
 * The position of a (pipeline, item) in a batch: items in order, and for each item its
 * pipelines in request order, so the pipelines of one item start together.
 */
export const pairOf = (itemIndex: number, pipelineIndex: number, pipelineCount: number): number =>
  itemIndex * pipelineCount + pipelineIndex;

export const itemIndexOf = (pair: number, pipelineCount: number): number =>
  Math.floor(pair / pipelineCount);

export const pipelineIndexOf = (pair: number, pipelineCount: number): number =>
  pair % pipelineCount;

/**
 * The `ClientRequestToken` of one attempt of one (pipeline, item): SHA-256 hex, 64
 * characters (the `IdempotencyToken` shape allows 32 to 128). A redrive is a new attempt,
 * so it gets a new token; every retry of one attempt sends the same token.
 */
export const executionToken = (
  batchKey: string,
  fingerprint: string,
  pipeline: string,
  itemIndex: number,
  attempt: number,
): string =>
  sha256Hex(
    `${SCHEME}\n${batchKey}\n${fingerprint}\n${pipelineNameOf(pipeline).toLowerCase()}\n${itemIndex}\n${attempt}`,
  );

/** What a child's `PipelineExecutionDescription` carries, to map its events back to the ledger. */
export interface ChildReference {
  batchId: string;
  pair: number;
  attempt: number;
}

/** The description of a child execution: a small JSON object, well within 3,072 characters. */
export const childDescription = (reference: ChildReference): string =>
  JSON.stringify({ batchId: reference.batchId, pair: reference.pair, attempt: reference.attempt });

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads a description written by {@link childDescription}; anything else is not a batch child. */
export const parseChildDescription = (text: unknown): ChildReference | undefined => {
  if (typeof text !== 'string' || !text.startsWith('{')) return undefined;
  const value = parseJsonText(text, 'object');
  if (value === undefined) return undefined;
  const { batchId, pair, attempt } = value as Record<string, unknown>;
  if (typeof batchId !== 'string' || !BATCH_ID_PATTERN.test(batchId)) return undefined;
  if (!isCount(pair) || !isCount(attempt) || attempt < 1) return undefined;
  return { batchId, pair, attempt };
};
