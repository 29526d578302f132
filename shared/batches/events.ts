import { errorMessage, errorName } from '../fan-out/classify';
import { asFailureReason } from '../fan-out/errors';
import { pipelineNameOf } from '../fan-out/identity';
import { logger } from '../logger';
import type { BatchDeps } from './deps';
import { parseChildDescription } from './identity';
import { type EndedPair, slotHolder, type TerminalStatus } from './ledger';
import { refillAfterRelease } from './refill';
import { recordEnd, recordOutcome, settleChild } from './settle';

/** The EventBridge detail type of a pipeline execution's status change. */
export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';

const TERMINAL: Readonly<Record<string, TerminalStatus>> = {
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Stopped: 'STOPPED',
};

/** A status change of a child execution, as its event tells it. */
export interface ChildStatusChange {
  executionArn: string;
  status: string;
  description: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads a `SageMaker Model Building Pipeline Execution Status Change` event (detail:
 * `pipelineExecutionArn`, `currentPipelineExecutionStatus`, `pipelineExecutionDescription`,
 * as the SageMaker Developer Guide's "Amazon EventBridge events" lists them).
 * @returns undefined for any other event.
 */
export const childStatusChangeOf = (event: unknown): ChildStatusChange | undefined => {
  if (!isRecord(event) || event['detail-type'] !== EXECUTION_STATUS_CHANGE) return undefined;
  const detail = event.detail;
  if (!isRecord(detail)) return undefined;
  const executionArn = detail.pipelineExecutionArn;
  const status = detail.currentPipelineExecutionStatus;
  if (typeof executionArn !== 'string' || typeof status !== 'string') return undefined;
  return { executionArn, status, description: detail.pipelineExecutionDescription };
};

/** The pipeline name in an execution ARN (`...:pipeline/<name>/execution/<id>`), lower case. */
const pipelineOfExecution = (executionArn: string): string =>
  (/:pipeline\/([^/]+)\/execution\//.exec(executionArn)?.[1] ?? '').toLowerCase();

/** Why an event changed nothing, or what it did. */
export type EventOutcome = 'ignored' | 'running' | 'ended' | 'stale';

/**
 * Applies one status change: `Executing` marks the child running; a terminal status records
 * it, frees its slots and starts the next pending pairs. Events may come twice, out of
 * order or late (SageMaker may send several per change): every write is conditional on the
 * attempt and the status before, so they change nothing the second time.
 */
export const applyStatusChange = async (
  deps: BatchDeps,
  change: ChildStatusChange,
  /**
   * `ended` collects the ended attempt instead of settling it and refilling: the caller settles
   * and refills each batch once for many events (`settleEnded`, `refillEnded`).
   */
  options: { ended?: EndedChild[] } = {},
): Promise<EventOutcome> => {
  const child = parseChildDescription(change.description);
  if (child === undefined) return 'ignored';
  const { batchId, pair, attempt } = child;
  // The description is only a claim: the ledger's record must agree on the pipeline and,
  // once known, the execution ARN, so no other execution can end a batch's child.
  const record = await deps.ledger.getExecution(batchId, pair);
  if (record === undefined || record.attempt !== attempt) return 'stale';
  if (
    pipelineOfExecution(change.executionArn) !== pipelineNameOf(record.pipeline).toLowerCase() ||
    (record.executionArn !== undefined && record.executionArn !== change.executionArn)
  ) {
    logger.warn('Ignored an event whose execution is not the recorded child', {
      batchId,
      pair,
      executionArn: change.executionArn,
    });
    return 'ignored';
  }
  const outcome = TERMINAL[change.status];
  if (outcome === undefined) {
    if (change.status !== 'Executing') return 'ignored';
    const moved = await deps.ledger.updateExecution(batchId, pair, attempt, ['STARTING'], {
      status: 'RUNNING',
      executionArn: change.executionArn,
    });
    return moved ? 'running' : 'stale';
  }
  let failureReason: string | undefined;
  if (outcome === 'FAILED') {
    try {
      const described = await deps.sagemaker.describePipelineExecution({
        PipelineExecutionArn: change.executionArn,
      });
      failureReason = described.FailureReason;
    } catch (error) {
      logger.warn('Could not read the failure reason', { error: errorName(error) });
      failureReason = asFailureReason(`failure reason unavailable: ${errorMessage(error)}`);
    }
  }
  const details = {
    executionArn: change.executionArn,
    ...(failureReason === undefined ? {} : { failureReason }),
  };
  if (options.ended !== undefined) {
    const ended = await recordEnd(deps, batchId, pair, attempt, outcome, details);
    if (ended === undefined) return 'stale';
    options.ended.push({ batchId, pair, attempt, outcome: ended });
    return 'ended';
  }
  const ended = await recordOutcome(deps, batchId, pair, attempt, outcome, details);
  if (!ended) return 'stale';
  await refillAfterRelease(deps, batchId);
  return 'ended';
};

/** An ended attempt of a batch's pair, recorded and waiting to be settled. */
export interface EndedChild extends EndedPair {
  batchId: string;
}

/**
 * Settles the ended children of one delivery: per batch, one write frees their pairs and counts
 * them, and one write gives back their account slots. When that write's condition fails (one of
 * them was settled already, by a duplicate or the reconciler), each is settled on its own.
 * @returns the batches they belong to, to refill.
 */
export const settleEnded = async (
  deps: BatchDeps,
  ended: readonly EndedChild[],
): Promise<Set<string>> => {
  const byBatch = new Map<string, EndedChild[]>();
  for (const child of ended)
    byBatch.set(child.batchId, [...(byBatch.get(child.batchId) ?? []), child]);
  for (const [batchId, children] of byBatch) {
    if (await deps.ledger.settleMany(batchId, children)) {
      await deps.ledger.releaseAccountSlots(
        children.map(({ pair, attempt }) => slotHolder(batchId, pair, attempt)),
      );
      continue;
    }
    for (const { pair, attempt, outcome } of children) {
      await settleChild(deps, batchId, pair, attempt, outcome);
    }
  }
  return new Set(byBatch.keys());
};

/** The batch a change's execution belongs to, as its description claims it. */
export const batchOfChange = (change: ChildStatusChange): string | undefined =>
  parseChildDescription(change.description)?.batchId;

/**
 * Refills each batch whose children ended in one delivery of events, once: ten events of one
 * batch make one claim instead of ten racing for its cursor. A refill that fails is logged; the
 * batch goes on at its next event or reconcile pass (its children are already recorded).
 */
export const refillEnded = async (deps: BatchDeps, batchIds: Iterable<string>): Promise<void> => {
  for (const batchId of batchIds) {
    try {
      await refillAfterRelease(deps, batchId);
    } catch (error) {
      logger.error('Refill after ended children failed; the next event or reconcile continues', {
        batchId,
        error,
      });
    }
  }
};
