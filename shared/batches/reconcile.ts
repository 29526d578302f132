import { errorName } from '../fan-out/classify';
import { logger } from '../logger';
import type { BatchDeps } from './deps';
import { type BatchRecord, claimHolder, isTerminal, parseSlotHolder } from './ledger';
import { refillBatch, startClaimed } from './refill';
import { recordOutcome, settleChild } from './settle';
import { stopChildren } from './stop';

const TERMINAL = { Succeeded: 'SUCCEEDED', Failed: 'FAILED', Stopped: 'STOPPED' } as const;

/** What one reconcile pass did. */
export interface ReconcileReport {
  batches: number;
  checked: number;
  ended: number;
  restarted: number;
  releasedSlots: number;
  /** True when the pass stopped early for lack of time. */
  truncated: boolean;
}

/**
 * Checks one claimed pair against the ledger and SageMaker:
 * - claimed without a record, or `STARTING` past the grace (or ambiguous): started again,
 *   same token;
 * - `PENDING` while claimed past the grace (a put-back cut short): put back again;
 * - `RUNNING`: `DescribePipelineExecution`; an ended child is recorded as its event would be;
 * - ended past the grace while still claimed (a settle cut short): settled.
 */
const reconcilePair = async (
  deps: BatchDeps,
  batch: BatchRecord,
  pair: number,
  attempt: number,
  claimedAt: number,
  report: ReconcileReport,
): Promise<void> => {
  const { batchId } = batch;
  const stale = (since: number) => deps.now() - since >= deps.recoveryGraceMs;
  const record = await deps.ledger.getExecution(batchId, pair);
  report.checked++;
  if (record === undefined || record.attempt < attempt) {
    if (stale(claimedAt)) {
      report.restarted++;
      await startClaimed(deps, batch, pair, attempt);
    }
    return;
  }
  if (record.attempt !== attempt) return;
  if (isTerminal(record.status)) {
    // Ended moments ago: the function that recorded it is settling it now.
    if (record.endedAt !== undefined && !stale(Date.parse(record.endedAt))) return;
    await settleChild(deps, batchId, pair, attempt, record.status);
    report.ended++;
    return;
  }
  if (record.status === 'PENDING') {
    // Claimed again moments ago, its function may be starting it now: wait for the grace.
    if (!stale(claimedAt)) return;
    const freed = await deps.ledger.requeue(batchId, pair, attempt);
    if (freed !== undefined) {
      await deps.ledger.releaseAccountSlot(claimHolder(batchId, pair, freed));
    }
    return;
  }
  if (record.status === 'STARTING') {
    // An ambiguous start was given up by its function: no need to wait for the grace.
    if (record.ambiguous || stale(record.claimedAt)) {
      report.restarted++;
      await startClaimed(deps, batch, pair, attempt);
    }
    return;
  }
  if (record.executionArn === undefined) return;
  const described = await deps.sagemaker.describePipelineExecution({
    PipelineExecutionArn: record.executionArn,
  });
  const status = described.PipelineExecutionStatus;
  const outcome = status === undefined ? undefined : TERMINAL[status as keyof typeof TERMINAL];
  if (outcome === undefined) return;
  const ended = await recordOutcome(deps, batchId, pair, attempt, outcome, {
    executionArn: record.executionArn,
    ...(described.FailureReason === undefined ? {} : { failureReason: described.FailureReason }),
  });
  if (ended) report.ended++;
};

/**
 * One reconcile pass: every active batch's claimed pairs are checked, each batch is
 * refilled (which also ends a batch with nothing left), and account slots held past the
 * grace by a pair its batch no longer claims are given back. A lost event or a crashed
 * function then only delays a batch. `mayContinue` is asked before each batch.
 */
export const reconcile = async (
  deps: BatchDeps,
  mayContinue: () => boolean = () => true,
): Promise<ReconcileReport> => {
  const report: ReconcileReport = {
    batches: 0,
    checked: 0,
    ended: 0,
    restarted: 0,
    releasedSlots: 0,
    truncated: false,
  };
  let nextToken: string | undefined;
  do {
    const page = await deps.ledger.listActiveBatches(nextToken);
    for (const batchId of page.records) {
      if (!mayContinue()) {
        report.truncated = true;
        return report;
      }
      const batch = await deps.ledger.getBatch(batchId);
      if (batch === undefined) continue;
      report.batches++;
      for (const [pair, claim] of Object.entries(batch.running)) {
        try {
          await reconcilePair(deps, batch, Number(pair), claim.attempt, claim.claimedAt, report);
        } catch (error) {
          logger.warn('Could not reconcile a child; the next pass retries', {
            batchId,
            pair,
            error: errorName(error),
          });
        }
      }
      // A child that started after its batch began stopping is stopped now.
      if (batch.status === 'STOPPING') await stopChildren(deps, batch);
      await refillBatch(deps, batchId);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  // The slots each batch's claims hold (their own, or one taken over from an ended pair).
  const held = new Map<string, Set<string>>();
  for (const [holder, takenAt] of Object.entries(await deps.ledger.accountSlots())) {
    if (deps.now() - takenAt < deps.recoveryGraceMs) continue;
    const slot = parseSlotHolder(holder);
    if (slot === undefined) continue;
    let holders = held.get(slot.batchId);
    if (holders === undefined) {
      const batch = await deps.ledger.getBatch(slot.batchId);
      holders = new Set(
        Object.entries(batch?.running ?? {}).map(([pair, claim]) =>
          claimHolder(slot.batchId, Number(pair), claim),
        ),
      );
      held.set(slot.batchId, holders);
    }
    if (holders.has(holder)) continue;
    await deps.ledger.releaseAccountSlot(holder);
    report.releasedSlots++;
  }
  return report;
};
