import { errorMessage, errorName } from '../fan-out/classify';
import { asFailureReason } from '../fan-out/errors';
import { pipelineNameOf } from '../fan-out/identity';
import { logger } from '../logger';
import { type BatchDeps, startingRecord, startPlanOf } from './deps';
import { parseChildDescription } from './identity';
import { JoinedRefills } from './joined-refills';
import {
  type BatchRecord,
  type EndedPair,
  type ExecutionRecord,
  isTerminal,
  type TerminalStatus,
} from './ledger';
import { refillAfterRelease } from './refill';
import { endChange, recordEnd } from './settle';

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
   * and refills each batch once for many events (`refillEnded`).
   */
  options: { ended?: EndedChild[]; reads?: BatchReads } = {},
): Promise<EventOutcome> => {
  const child = parseChildDescription(change.description);
  if (child === undefined) return 'ignored';
  const { batchId, pair, attempt } = child;
  const outcome = TERMINAL[change.status];
  // The usual end: the child recorded running with this very execution ARN, so the record
  // need not be read to tell it is the batch's child.
  const recorded =
    outcome === undefined || outcome === 'FAILED'
      ? undefined
      : endRecordedChild(deps, change, batchId, pair, attempt, outcome);
  // Sent after the end's write, which the refill waits for first.
  if (outcome !== undefined && options.reads !== undefined) readAhead(deps, options.reads, batchId);
  let ended = await recorded;
  if (ended === undefined) {
    const checked = await checkedEnd(deps, change, batchId, pair, attempt, outcome);
    if (typeof checked !== 'object') return checked;
    ended = checked.ended;
  }
  const endedChild = { batchId, pair, attempt, outcome: ended };
  if (options.ended !== undefined) options.ended.push(endedChild);
  else await refillAfterRelease(deps, batchId, [endedChild]);
  return 'ended';
};

const endRecordedChild = async (
  deps: BatchDeps,
  change: ChildStatusChange,
  batchId: string,
  pair: number,
  attempt: number,
  outcome: TerminalStatus,
): Promise<TerminalStatus | undefined> => {
  const applied = await deps.ledger.updateExecution(
    batchId,
    pair,
    attempt,
    ['RUNNING'],
    endChange(deps, outcome, { executionArn: change.executionArn }),
    change.executionArn,
  );
  return applied ? outcome : undefined;
};

/**
 * A status change checked against the ledger's record: the description is only a claim, the
 * record must agree on the pipeline and, once known, the execution ARN, so no other execution
 * can end a batch's child.
 */
const checkedEnd = async (
  deps: BatchDeps,
  change: ChildStatusChange,
  batchId: string,
  pair: number,
  attempt: number,
  outcome: TerminalStatus | undefined,
): Promise<Exclude<EventOutcome, 'ended'> | { ended: TerminalStatus }> => {
  const record =
    (await deps.ledger.getExecution(batchId, pair)) ??
    (outcome === undefined ? undefined : await recordStarted(deps, change, batchId, pair, attempt));
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
  if (outcome === undefined) {
    if (change.status !== 'Executing' || record.status !== 'STARTING') {
      return change.status === 'Executing' ? 'stale' : 'ignored';
    }
    const moved = await deps.ledger.updateExecution(batchId, pair, attempt, ['STARTING'], {
      status: 'RUNNING',
      executionArn: change.executionArn,
    });
    return moved ? 'running' : 'stale';
  }
  // Recorded ended already (a repeated event): settling it again changes nothing.
  if (isTerminal(record.status)) return { ended: record.status };
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
  const ended = await recordEnd(deps, batchId, pair, attempt, outcome, {
    executionArn: change.executionArn,
    ...(failureReason === undefined ? {} : { failureReason }),
  });
  return ended === undefined ? 'stale' : { ended };
};

/**
 * The record of a child that ended before its function wrote it (a child that fails at once):
 * while the batch still claims the pair with this attempt and the event's execution is of the
 * pair's pipeline, it is written `RUNNING` with the event's execution ARN, as its function would
 * have written it, so that its end is recorded now rather than at the next reconcile pass.
 */
const recordStarted = async (
  deps: BatchDeps,
  change: ChildStatusChange,
  batchId: string,
  pair: number,
  attempt: number,
): Promise<ExecutionRecord | undefined> => {
  const batch = await deps.ledger.getBatch(batchId);
  const claim = batch?.running[String(pair)];
  if (batch === undefined || claim?.attempt !== attempt) return undefined;
  const plan = await startPlanOf(deps, batch, pair, attempt);
  if (pipelineOfExecution(change.executionArn) !== pipelineNameOf(plan.pipeline).toLowerCase()) {
    return undefined;
  }
  await deps.ledger.createExecution({
    ...startingRecord(batch, pair, attempt, plan, claim.claimedAt),
    status: 'RUNNING',
    executionArn: change.executionArn,
  });

  return deps.ledger.getExecution(batchId, pair);
};

/** An ended attempt of a batch's pair, recorded and waiting to be settled. */
export interface EndedChild extends EndedPair {
  batchId: string;
}

/** The batch a change's execution belongs to, as its description claims it. */
export const batchOfChange = (change: ChildStatusChange): string | undefined =>
  parseChildDescription(change.description)?.batchId;

/**
 * Batch records read while the ends of their children are recorded, by batch: the refill that
 * follows starts from one instead of reading the batch after the ends.
 */
export type BatchReads = Map<string, Promise<BatchRecord | undefined>>;

/** The refills of each container (its deps), joined per batch. */
const joinedRefills = new WeakMap<BatchDeps, JoinedRefills<BatchRecord>>();

const joinedOf = (deps: BatchDeps): JoinedRefills<BatchRecord> => {
  let joined = joinedRefills.get(deps);
  if (joined === undefined) {
    joined = new JoinedRefills();
    joinedRefills.set(deps, joined);
  }
  return joined;
};

/**
 * Reads the batch beside the end being recorded, unless it is read already or a refill of it
 * runs in this container (the next refill then starts from what that one leaves).
 */
const readAhead = (deps: BatchDeps, reads: BatchReads, batchId: string): void => {
  if (reads.has(batchId) || joinedOf(deps).busy(batchId)) return;
  const read = deps.ledger.getBatch(batchId);
  read.catch(() => undefined);
  reads.set(batchId, read);
};

/**
 * Settles the ended children of one delivery and refills their batches, once per batch: ten
 * events of one batch make one write that frees them and claims their successors, instead of
 * ten racing for its cursor; deliveries handled at once in a container join one refill, each
 * starting from the record the one before it left (or from `reads`, read beside the ends). A
 * refill that fails is logged; the batch goes on at its next event or reconcile pass (its
 * children are already recorded).
 */
export const refillEnded = async (
  deps: BatchDeps,
  ended: readonly EndedChild[],
  reads?: BatchReads,
): Promise<void> => {
  const byBatch = new Map<string, EndedPair[]>();
  for (const { batchId, ...child } of ended) {
    byBatch.set(batchId, [...(byBatch.get(batchId) ?? []), child]);
  }
  const joined = joinedOf(deps);
  for (const [batchId, children] of byBatch) {
    try {
      await joined.join(
        batchId,
        children,
        (taken, known) => refillAfterRelease(deps, batchId, taken, known),
        reads?.get(batchId),
      );
    } catch (error) {
      logger.error('Refill after ended children failed; the next event or reconcile continues', {
        batchId,
        error,
      });
    }
  }
};
