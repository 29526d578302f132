import { logger } from '../logger';
import { answerCallback } from './callback-answer';
import type { BatchDeps } from './deps';
import {
  type BatchRecord,
  type BatchStatus,
  claimHolder,
  type EndedPair,
  type ExecutionChange,
  isTerminal,
  pendingOf,
  type TerminalStatus,
} from './ledger';
import { expireRequestParts } from './request';
import { writeResults } from './results';
import { toleranceExceeded } from './tolerance';

/**
 * Frees a pair whose attempt has ended: counts it on the batch and gives back the account slot
 * its claim held. Whoever frees the claim gives the slot back: a pair freed already (a duplicate
 * event, the reconciler) may have passed its slot to the pair its freeing claimed, so its slot is
 * not given back again. A crash between the two writes leaves a slot no claim holds, which the
 * reconciler gives back past the grace.
 */
export const settleChild = async (
  deps: BatchDeps,
  batchId: string,
  pair: number,
  attempt: number,
  outcome: TerminalStatus,
): Promise<void> => {
  const freed = await deps.ledger.settle(batchId, pair, attempt, outcome);
  if (freed !== undefined) await deps.ledger.releaseAccountSlot(claimHolder(batchId, pair, freed));
};

/**
 * Frees the ended pairs of one batch: one write counts them all, one gives back their slots.
 * When one of them was settled already (a duplicate event, the reconciler), each is settled
 * on its own.
 */
export const settleChildren = async (
  deps: BatchDeps,
  batchId: string,
  children: readonly EndedPair[],
): Promise<void> => {
  if (children.length === 0) return;
  const freed = await deps.ledger.settleMany(batchId, children);
  if (freed !== undefined) {
    await deps.ledger.releaseAccountSlots(
      Object.entries(freed).map(([pair, claim]) => claimHolder(batchId, Number(pair), claim)),
    );
    return;
  }
  for (const { pair, attempt, outcome } of children) {
    await settleChild(deps, batchId, pair, attempt, outcome);
  }
};

/** The change that records the end of an attempt, its details included. */
export const endChange = (
  deps: BatchDeps,
  outcome: TerminalStatus,
  details: { executionArn?: string; failureReason?: string },
): ExecutionChange => ({
  status: outcome,
  ...details,
  endedAt: new Date(deps.now()).toISOString(),
  expiresAt: Math.floor(deps.now() / 1000) + deps.retentionSeconds,
});

/**
 * Records the end of one attempt on its execution record (from `STARTING` or `RUNNING` of that
 * attempt only). A late, repeated or reordered event finds it recorded already.
 * @returns the status the attempt ended with, or undefined when it has not ended (an older
 *   attempt, or a record that is not this attempt's).
 */
export const recordEnd = async (
  deps: BatchDeps,
  batchId: string,
  pair: number,
  attempt: number,
  outcome: TerminalStatus,
  details: { executionArn?: string; failureReason?: string },
): Promise<TerminalStatus | undefined> => {
  const applied = await deps.ledger.updateExecution(
    batchId,
    pair,
    attempt,
    ['STARTING', 'RUNNING'],
    endChange(deps, outcome, details),
  );
  if (applied) return outcome;
  const record = await deps.ledger.getExecution(batchId, pair);
  if (record === undefined || record.attempt !== attempt || !isTerminal(record.status)) {
    return undefined;
  }
  return record.status;
};

/**
 * Records the end of one attempt and frees its slots. A late, repeated or reordered
 * event for an attempt already ended, or for an older attempt, changes nothing.
 * @returns whether the attempt is ended in the ledger.
 */
export const recordOutcome = async (...end: Parameters<typeof recordEnd>): Promise<boolean> => {
  const ended = await recordEnd(...end);
  if (ended === undefined) return false;
  const [deps, batchId, pair, attempt] = end;
  await settleChild(deps, batchId, pair, attempt, ended);
  return true;
};

/** Whether more children failed (or were stopped by someone else) than the batch tolerates. */
export const beyondTolerance = (batch: BatchRecord): boolean =>
  batch.status === 'RUNNING' && toleranceExceeded(batch, batch.failed + batch.stopped, batch.pairs);

const finalStatus = (batch: BatchRecord): BatchStatus =>
  batch.status === 'STOPPING'
    ? 'STOPPED'
    : toleranceExceeded(batch, batch.failed + batch.stopped, batch.pairs)
      ? 'FAILED'
      : 'SUCCEEDED';

/**
 * Ends a batch once nothing is running and nothing is pending (or it is stopping, or past
 * its failure tolerance: then pending pairs are never started): `SUCCEEDED` within the
 * tolerance (none by default), `FAILED` beyond it, `STOPPED` when the batch itself was
 * stopping. Before the end is written, the results manifest is written and a waiting
 * Callback step answered, so a crash in between leaves the batch active and the next
 * refill or reconcile pass does both again (the answer with the same token, once). Its
 * records then expire after the retention.
 */
export const completeIfDone = async (deps: BatchDeps, batchId: string): Promise<boolean> => {
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined) return false;
  if (batch.status !== 'RUNNING' && batch.status !== 'STOPPING') return true;
  if (Object.keys(batch.running).length > 0) return false;
  const exceeded = beyondTolerance(batch);
  if (batch.status === 'RUNNING' && pendingOf(batch) > 0 && !exceeded) return false;
  const to = finalStatus(batch);
  const resultsUri = await writeResults(deps, batch);
  await answerCallback(deps, batch, to, resultsUri);
  const expiresAt = Math.floor(deps.now() / 1000) + deps.retentionSeconds;
  const finished = await deps.ledger.finishBatch(
    batchId,
    batch.status,
    to,
    batch.pairs,
    new Date(deps.now()).toISOString(),
    expiresAt,
    exceeded,
  );
  if (!finished) return false;
  logger.info('Batch finished', {
    batchId,
    status: to,
    succeeded: batch.succeeded,
    failed: batch.failed,
  });
  await expireRequestParts(deps, batch, batch.requestParts);
  return true;
};
