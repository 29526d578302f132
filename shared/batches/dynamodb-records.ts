import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { InvalidPageTokenError } from './errors';
import type {
  BatchCallback,
  BatchRecord,
  BatchStatus,
  CallbackAnswer,
  EndedPair,
  ExecutionRecord,
  ExecutionStatus,
  TerminalStatus,
} from './ledger';

/** The ledger table's keys and the mapping between its items and the ledger's records. */

export const INDEX_NAME = 'by-status';
export const ACTIVE_BATCHES = 'ACTIVE';
const BATCH_SK = 'BATCH';
export const ACCOUNT_KEY = { pk: 'ACCOUNT', sk: 'SLOTS' };

export const batchKey = (batchId: string) => ({ pk: `B#${batchId}`, sk: BATCH_SK });
const executionSk = (pair: number) => `X#${String(pair).padStart(9, '0')}`;
export const executionKey = (batchId: string, pair: number) => ({
  pk: `B#${batchId}`,
  sk: executionSk(pair),
});
export const partKey = (batchId: string, fingerprint: string, part: number) => ({
  pk: `B#${batchId}`,
  sk: `REQ#${fingerprint.slice(0, 32)}#${String(part).padStart(4, '0')}`,
});

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** Runs a conditional write: `true` when applied, `false` when its condition failed. */
export const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

export type Item = Record<string, unknown>;

/**
 * `#status = :from0 OR #status = :from1 ...`: a condition that the record's status is one of
 * `from`, its values added to `values`.
 */
export const statusAmong = (from: readonly string[], values: Record<string, unknown>): string =>
  from
    .map((status, i) => {
      values[`:from${i}`] = status;
      return `#status = :from${i}`;
    })
    .join(' OR ');

export const num = (value: unknown): number =>
  typeof value === 'number' ? value : Number(value ?? 0);
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export const toBatch = (item: Item): BatchRecord => ({
  batchId: String(item.batchId),
  batchKey: String(item.batchKey),
  fingerprint: String(item.fingerprint),
  fingerprintParts: (item.fingerprintParts ?? {}) as Record<string, string>,
  requestParts: num(item.requestParts),
  createdAt: String(item.createdAt),
  createdBy: String(item.createdBy),
  status: item.status as BatchStatus,
  pipelineCount: num(item.pipelineCount),
  itemCount: num(item.itemCount),
  pairs: num(item.pairs),
  maxConcurrentExecutions: num(item.maxConcurrentExecutions),
  cursor: num(item.cursor),
  running: Object.fromEntries(
    Object.entries((item.running ?? {}) as Record<string, Item>).map(([pair, claim]) => [
      pair,
      {
        attempt: num(claim.a),
        claimedAt: num(claim.t),
        ...(typeof claim.h === 'string' ? { holder: claim.h } : {}),
      },
    ]),
  ),
  requeued: Object.fromEntries(
    Object.entries((item.requeued ?? {}) as Record<string, unknown>).map(([pair, attempt]) => [
      pair,
      num(attempt),
    ]),
  ),
  succeeded: num(item.succeeded),
  failed: num(item.failed),
  stopped: num(item.stopped),
  lastClaimId: str(item.lastClaimId),
  finishedAt: str(item.finishedAt),
  ...(item.toleratedFailureCount === undefined
    ? {}
    : { toleratedFailureCount: num(item.toleratedFailureCount) }),
  ...(item.toleratedFailurePercentage === undefined
    ? {}
    : { toleratedFailurePercentage: num(item.toleratedFailurePercentage) }),
  ...(item.callback === undefined ? {} : { callback: item.callback as BatchCallback }),
  ...(item.callbackAnswer === undefined
    ? {}
    : { callbackAnswer: item.callbackAnswer as CallbackAnswer }),
  ...(item.resultsUri === undefined ? {} : { resultsUri: str(item.resultsUri) }),
});

export const toExecution = (item: Item): ExecutionRecord => ({
  batchId: String(item.batchId),
  pair: num(item.pair),
  pipeline: String(item.pipeline),
  itemIndex: num(item.itemIndex),
  attempt: num(item.attempt),
  clientRequestToken: String(item.clientRequestToken),
  status: item.status as ExecutionStatus,
  executionArn: str(item.executionArn),
  failureReason: str(item.failureReason),
  claimedAt: num(item.claimedAt),
  ambiguous: item.ambiguous === true,
  endedAt: str(item.endedAt),
  ...(item.startedAt === undefined ? {} : { startedAt: str(item.startedAt) }),
  ...(item.redrivenFrom === undefined ? {} : { redrivenFrom: item.redrivenFrom as TerminalStatus }),
});

/** A page token: the last key, as base64url JSON. Checked on the way back in. */
export const encodeToken = (key: Item | undefined): string | undefined =>
  key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');

export const decodeToken = (
  token: string | undefined,
  pk: string | undefined,
): Item | undefined => {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidPageTokenError({ cause });
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new InvalidPageTokenError();
  }
  const record = key as Item;
  const values = Object.values(record);
  if (
    values.length < 2 ||
    values.length > 4 ||
    values.some((value) => typeof value !== 'string') ||
    (pk !== undefined && record.pk !== pk)
  ) {
    throw new InvalidPageTokenError();
  }
  return record;
};

/**
 * The parts of a batch update that frees ended pairs and counts their outcomes: each pair must
 * still be claimed with its attempt. Its names and values are added to `names` and `values`.
 */
export const settleParts = (
  pairs: readonly EndedPair[],
  names: Record<string, string>,
  values: Record<string, unknown>,
): { adds: string[]; removes: string[]; conditions: string[] } => {
  const counts = new Map<string, number>();
  const removes: string[] = [];
  const conditions: string[] = [];
  pairs.forEach(({ pair, attempt, outcome }, i) => {
    names['#running'] = 'running';
    names[`#s${i}`] = String(pair);
    values[`:s${i}`] = attempt;
    conditions.push(`#running.#s${i}.a = :s${i}`);
    removes.push(`#running.#s${i}`);
    counts.set(outcome.toLowerCase(), (counts.get(outcome.toLowerCase()) ?? 0) + 1);
  });
  const adds = [...counts].map(([count, n], i) => {
    names[`#c${i}`] = count;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  return { adds, removes, conditions };
};
