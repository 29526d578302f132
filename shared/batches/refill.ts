import { classifyError, errorMessage, errorName, isThrottling } from '../fan-out/classify';
import { asFailureReason } from '../fan-out/errors';
import { logger } from '../logger';
import { type BatchDeps, startingRecord, startPlanOf } from './deps';
import {
  type BatchRecord,
  claimHolder,
  type EndedPair,
  isTerminal,
  pendingOf,
  slotHolder,
  uniquePairs,
} from './ledger';
import {
  beyondTolerance,
  completeIfDone,
  recordOutcome,
  settleChild,
  settleChildren,
} from './settle';

/** Pairs claimed by one conditional write at most. */
const MAX_CLAIM = 25;
/** Claims one refill makes at most before it leaves the rest to the next event. */
const MAX_ROUNDS = 40;

/**
 * What starting a claimed pair came to:
 * - `started`, `running`: a child runs (or ran) for it;
 * - `settled`, `failed`: it has ended;
 * - `account`: the account budget is full, the pair is back to pending;
 * - `quota`: SageMaker refused (ResourceLimitExceeded or throttling), back to pending;
 * - `unknown`: the start's outcome is unknown; the reconciler retries it with the same token.
 */
export type StartOutcome =
  | 'started'
  | 'running'
  | 'settled'
  | 'failed'
  | 'account'
  | 'quota'
  | 'unknown';

/** Why a refill stopped. */
export type RefillOutcome = 'done' | 'batch' | 'account' | 'quota' | 'unknown';

/** Puts a claimed pair back to pending and gives back its account slot. */
const putBack = async (
  deps: BatchDeps,
  batchId: string,
  pair: number,
  attempt: number,
  reason: string,
): Promise<void> => {
  await deps.ledger.updateExecution(batchId, pair, attempt, ['STARTING'], {
    status: 'PENDING',
    failureReason: reason,
  });
  const freed = await deps.ledger.requeue(batchId, pair, attempt);
  // Not claimed any more: whoever freed it gave its slot back (settle.ts, settleChild).
  if (freed !== undefined) await deps.ledger.releaseAccountSlot(claimHolder(batchId, pair, freed));
};

/**
 * Starts one claimed attempt of a pair. The order makes a crash at any point safe:
 * 1. the account slot is taken (a pair never starts without one, so the budget holds);
 * 2. a pair that had a record (requeued, or taken over by the reconciler) has it `STARTING`,
 *    with the attempt's deterministic token;
 * 3. StartPipelineExecution is called with that token;
 * 4. the record becomes `RUNNING` with the execution ARN; a pair fresh from the cursor gets its
 *    first record here, written once with the start's outcome (`STARTING` when the start failed).
 * A crash after 1, 2 or 3 leaves a claim that the reconciler finds and starts with the same
 * token, after the recovery grace. SageMaker's `ClientRequestToken` is "a unique,
 * case-sensitive identifier that you provide to ensure the idempotency of the operation.
 * An idempotent operation completes no more than once" (SageMaker API Reference,
 * StartPipelineExecution), so a start repeated with the token returns the execution the
 * first one made. The repeat comes within minutes (the grace and the reconcile rate), not
 * after an unpublished token lifetime: the ledger, not SageMaker's memory, says whether a
 * pair was started.
 */
export const startClaimed = async (
  deps: BatchDeps,
  batch: BatchRecord,
  pair: number,
  attempt: number,
  /** The pair was just claimed from the cursor: it has never had a record. */
  fresh = false,
  /** Its account slot was already taken, with the others of its claim. */
  slotTaken = false,
): Promise<StartOutcome> => {
  const { batchId } = batch;
  let record = fresh ? undefined : await deps.ledger.getExecution(batchId, pair);
  if (record !== undefined && record.attempt > attempt) return 'settled';
  if (record !== undefined && record.attempt === attempt) {
    if (isTerminal(record.status)) {
      await settleChild(deps, batchId, pair, attempt, record.status);
      return 'settled';
    }
    if (record.status === 'RUNNING') return 'running';
  }
  // A record left `STARTING`, or a claim taken over with no record (its function may have
  // started it and crashed before writing it), means an earlier call may have reached
  // SageMaker: that child may exist, so it keeps its claim and slot until a start with its token
  // answers.
  const mayExist =
    record === undefined ? !fresh : record.attempt === attempt && record.status === 'STARTING';
  const plan = await startPlanOf(deps, batch, pair, attempt);
  const starting = startingRecord(batch, pair, attempt, plan, deps.now());

  // Fresh from the cursor, the pair's claim says it may be starting until its record is written
  // with the start's outcome: one write instead of two.
  const deferred = fresh && record === undefined;
  const recordStarting = async () => {
    if (deferred) await deps.ledger.createExecution(starting);
  };
  const claim = batch.running[String(pair)];
  const holder =
    claim?.attempt === attempt
      ? claimHolder(batchId, pair, claim)
      : slotHolder(batchId, pair, attempt);
  if (
    !slotTaken &&
    !(await deps.ledger.acquireAccountSlot(holder, deps.accountLimit, deps.now()))
  ) {
    if (mayExist) return 'account';
    // Put back with a record, so that its next claim knows it was never started.
    await recordStarting();
    await putBack(deps, batchId, pair, attempt, 'waiting for the account budget');
    return 'account';
  }
  if (record === undefined || record.attempt !== attempt) {
    const created = deferred || (await deps.ledger.createExecution(starting));
    if (!created) {
      record = await deps.ledger.getExecution(batchId, pair);
      if (record !== undefined && record.attempt === attempt && isTerminal(record.status)) {
        await settleChild(deps, batchId, pair, attempt, record.status);
        return 'settled';
      }
      if (record?.status !== 'STARTING') return 'running';
    }
  } else if (record.status === 'PENDING') {
    const moved = await deps.ledger.updateExecution(batchId, pair, attempt, ['PENDING'], {
      status: 'STARTING',
      claimedAt: deps.now(),
    });
    if (!moved) return 'running';
  }
  if (!plan.ok) {
    await recordStarting();
    await recordOutcome(deps, batchId, pair, attempt, 'FAILED', { failureReason: plan.reason });
    return 'failed';
  }
  let executionArn: string | undefined;
  try {
    executionArn = (await deps.sagemaker.startPipelineExecution(plan.input)).PipelineExecutionArn;
  } catch (error) {
    await recordStarting();
    const kind = classifyError(error);
    const reason = asFailureReason(`${errorName(error)}: ${errorMessage(error)}`);
    if ((kind === 'resource-limit' || isThrottling(error)) && !mayExist) {
      await putBack(deps, batchId, pair, attempt, reason);
      return 'quota';
    }
    if (kind === 'permanent') {
      await recordOutcome(deps, batchId, pair, attempt, 'FAILED', { failureReason: reason });
      return 'failed';
    }
    // Unknown outcome, or refused while an earlier call may have started it: SageMaker does
    // not publish whether it checks the token before the quota.
    logger.warn('Start outcome unknown; the reconciler retries it with the same token', {
      batchId,
      pair,
      attempt,
      error: reason,
    });
    await deps.ledger.updateExecution(batchId, pair, attempt, ['STARTING'], {
      status: 'STARTING',
      ambiguous: true,
    });
    return kind === 'resource-limit' || isThrottling(error) ? 'quota' : 'unknown';
  }
  const running = {
    status: 'RUNNING',
    startedAt: new Date(deps.now()).toISOString(),
    ...(executionArn === undefined ? {} : { executionArn }),
  } as const;
  if (deferred && (await deps.ledger.createExecution({ ...starting, ...running }))) {
    return 'started';
  }
  const recorded = await deps.ledger.updateExecution(batchId, pair, attempt, ['STARTING'], running);
  if (!recorded) logger.info('Child already recorded past starting', { batchId, pair, attempt });
  return 'started';
};

/** The batch as it is once `settling` is freed and counted. */
const settledOf = (batch: BatchRecord, settling: readonly EndedPair[]): BatchRecord => {
  if (settling.length === 0) return batch;
  const running = { ...batch.running };
  const counts = { succeeded: batch.succeeded, failed: batch.failed, stopped: batch.stopped };
  for (const { pair, outcome } of settling) {
    delete running[String(pair)];
    counts[outcomeCount[outcome]] += 1;
  }
  return { ...batch, running, ...counts };
};

const outcomeCount = { SUCCEEDED: 'succeeded', FAILED: 'failed', STOPPED: 'stopped' } as const;

/** How a refill starts and what it is given. */
export interface RefillOptions {
  /** No new claim after this time (epoch ms): what is left waits for the next refill. */
  until?: number;
  /** Ended attempts to free and count with the first claim. */
  ended?: readonly EndedPair[];
  /**
   * The batch as last known (the record the container's previous refill left, or one read while
   * the ends were recorded): the first claim starts from it instead of reading. The claim's
   * condition holds whatever it says, so a stale one only costs the claim a retry.
   */
  known?: BatchRecord | undefined;
}

/** What a refill came to, and the batch as its last claim left it. */
export interface RefillResult {
  outcome: RefillOutcome;
  /** Undefined when something changed the batch since, or the record it started from was stale. */
  batch: BatchRecord | undefined;
  /** Account slots it gave back that no claimed pair took over: room other batches may use. */
  freedSlots: number;
}

/** A refill's progress: ended pairs not yet freed, and the slot hand-overs already written. */
interface RefillState {
  settling: EndedPair[];
  /** Slot holders taken for pairs fresh from the cursor, held whether or not their claim held. */
  taken: Set<string>;
  /** Slots given back and not taken over by a claimed pair. */
  freed: number;
  /**
   * A record it was given or left itself turned out stale: what it leaves is not handed on, so
   * the container's next refill reads (others are refilling the batch too).
   */
  stale: boolean;
  /** The batch as the last claim left it, while nothing else of this refill changed it. */
  batch: BatchRecord | undefined;
}

/**
 * Starts the next pending pairs of a batch while the batch's `maxConcurrentExecutions`
 * and the account budget leave room. Claims go through the batch's cursor with one
 * conditional write, so concurrent refills never claim the same pair. Ended pairs given in
 * `ended` are freed and counted by that same write, which passes their account slots on to the
 * pairs it claims (else they are settled on their own).
 */
export const refillBatch = async (
  deps: BatchDeps,
  batchId: string,
  options: RefillOptions = {},
): Promise<RefillOutcome> => (await refillBatchFrom(deps, batchId, options)).outcome;

/** {@link refillBatch}, also answering the batch as its last claim left it. */
export const refillBatchFrom = async (
  deps: BatchDeps,
  batchId: string,
  { until = Number.POSITIVE_INFINITY, ended = [], known }: RefillOptions,
): Promise<RefillResult> => {
  const state: RefillState = {
    settling: uniquePairs(ended),
    taken: new Set(),
    freed: 0,
    stale: false,
    batch: undefined,
  };
  try {
    const outcome = await refillRounds(deps, batchId, until, known, state);
    return {
      outcome,
      batch: state.settling.length === 0 && !state.stale ? state.batch : undefined,
      freedSlots: state.freed + state.settling.length,
    };
  } finally {
    await settleChildren(deps, batchId, state.settling);
  }
};

const refillRounds = async (
  deps: BatchDeps,
  batchId: string,
  until: number,
  known: BatchRecord | undefined,
  state: RefillState,
): Promise<RefillOutcome> => {
  // A record not read by this round (`known`, or the one the last claim left) is good enough to
  // claim from, since the claim's condition checks it; a refill that would stop, or drop an ended
  // pair as settled already, reads the batch first.
  let read = known;
  let fresh = read === undefined;
  if (read === undefined) read = await deps.ledger.getBatch(batchId);
  for (let round = 0; round < MAX_ROUNDS && deps.now() < until; round++) {
    state.batch = undefined;
    if (read === undefined) return 'done';
    const current = read;
    // A pair no longer claimed with its attempt was settled already (a duplicate event, the
    // reconciler), its slot given back by whoever settled it.
    const settling = state.settling.filter(
      ({ pair, attempt }) => current.running[String(pair)]?.attempt === attempt,
    );
    const batch = settledOf(current, settling);
    const running = Object.keys(batch.running).length;
    const pending = pendingOf(batch);
    const batchRoom = batch.maxConcurrentExecutions - running;
    // Past its failure tolerance a batch starts nothing more; running children finish.
    const over = batch.status !== 'RUNNING' || pending === 0 || beyondTolerance(batch);
    if (!fresh && (settling.length < state.settling.length || over || batchRoom <= 0)) {
      state.stale = true;
      read = await deps.ledger.getBatch(batchId);
      fresh = true;
      continue;
    }
    state.settling = settling;
    if (over) {
      state.settling = [];
      await settleChildren(deps, batchId, settling);
      if (running === 0) await completeIfDone(deps, batchId);
      return 'done';
    }
    if (batchRoom <= 0) return 'batch';
    const wanted = Math.min(batchRoom, pending, MAX_CLAIM);
    // The slots of the settling pairs pass to the claimed ones: no need to read the account
    // unless more are wanted.
    const accountRoom =
      wanted <= settling.length
        ? settling.length
        : deps.accountLimit -
          Object.keys(await deps.ledger.accountSlots()).length +
          settling.length;
    if (accountRoom <= 0) return 'account';
    const count = Math.min(wanted, accountRoom);
    const fromRequeued = Object.entries(batch.requeued)
      .map(([pair, attempt]) => ({ pair: Number(pair), attempt }))
      .sort((a, b) => a.pair - b.pair)
      .slice(0, count);
    const fromCursor = Math.min(count - fromRequeued.length, batch.pairs - batch.cursor);
    const pairs = [
      ...fromRequeued.map((claimed) => ({ ...claimed, fresh: false })),
      ...Array.from({ length: fromCursor }, (_, i) => ({
        pair: batch.cursor + i,
        attempt: 1,
        fresh: true,
      })),
    ];
    const claimId = deps.newId();
    // A claimed pair takes over the account slot of an ended one in the claim itself (the claim
    // frees the ended pair and records the slot on the new one in one write), so a refill that
    // claims as many as ended writes nothing on the account record. Pairs fresh from the cursor
    // beyond those take slots of their own in one write beside the claim (when the account has
    // room for all of them; otherwise each start takes its own, as a requeued pair does). No pair
    // starts before both have answered, so the budget holds; slots taken for pairs a failed claim
    // did not get are taken by the claim that gets them, or given back by the reconciler after
    // the grace.
    const endedHolders = settling.map(({ pair, attempt }) => {
      const ended = current.running[String(pair)];
      return ended === undefined
        ? slotHolder(batchId, pair, attempt)
        : claimHolder(batchId, pair, ended);
    });
    const holders: Record<string, string> = {};
    const heirs = pairs.filter(
      ({ pair, attempt }) => !state.taken.has(slotHolder(batchId, pair, attempt)),
    );
    heirs.slice(0, endedHolders.length).forEach(({ pair }, i) => {
      holders[String(pair)] = endedHolders[i] as string;
    });
    const inherited = Object.keys(holders).length;
    const release = endedHolders.slice(inherited);
    const take = pairs
      .filter(({ pair, fresh }) => fresh && holders[String(pair)] === undefined)
      .map(({ pair, attempt }) => slotHolder(batchId, pair, attempt))
      .filter((holder) => !state.taken.has(holder));
    const [claim, handOver] = await Promise.allSettled([
      deps.ledger.claim({
        batchId,
        claimId,
        cursor: batch.cursor,
        runningBefore: running,
        maxConcurrentExecutions: batch.maxConcurrentExecutions,
        fromRequeued,
        fromCursor,
        now: deps.now(),
        settling,
        holders,
      }),
      take.length === 0
        ? Promise.resolve(undefined)
        : deps.ledger.exchangeAccountSlots([], take, deps.accountLimit, deps.now()),
    ]);
    if (claim.status === 'rejected') throw claim.reason;
    if (handOver.status === 'rejected') throw handOver.reason;
    const held = handOver.value;
    if (held !== undefined) for (const holder of take) state.taken.add(holder);
    let claimed = claim.value;
    if (claimed === undefined) {
      if (!fresh) state.stale = true;
      read = await deps.ledger.getBatch(batchId);
      fresh = true;
      // A claim whose answer was lost and retried fails its own condition: it was applied.
      if (read?.lastClaimId !== claimId) continue;
      claimed = read;
    }
    state.settling = [];
    // Slots of ended pairs no claimed pair took over are given back only now that this claim
    // freed those pairs: until then another claim may have freed them and passed their slots on.
    state.freed += release.length;
    const releasing = deps.ledger.releaseAccountSlots(release);
    releasing.catch(() => undefined);
    // Every start runs to its end before an error is passed on: no work is left dangling.
    const settled = await Promise.allSettled(
      pairs.map(({ pair, attempt, fresh }) =>
        startClaimed(
          deps,
          claimed,
          pair,
          attempt,
          fresh,
          holders[String(pair)] !== undefined ||
            state.taken.has(slotHolder(batchId, pair, attempt)),
        ),
      ),
    );
    await releasing;
    const outcomes = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    for (const stop of ['account', 'quota', 'unknown'] as const) {
      if (outcomes.includes(stop)) return stop;
    }
    // Starts that only started change nothing in the batch: the claim's record is still current.
    const unchanged = outcomes.every((outcome) => outcome === 'started');
    if (unchanged) state.batch = claimed;
    // Everything claimed has started and the room is used up.
    if (count === batchRoom && unchanged) {
      return held !== undefined && held >= deps.accountLimit ? 'account' : 'batch';
    }
    read = unchanged ? claimed : await deps.ledger.getBatch(batchId);
    fresh = !unchanged;
  }
  return 'batch';
};

/**
 * After an account slot is freed: refills this batch (settling its `ended` pairs, starting from
 * the `known` record when given), then, while the account has room, the other active batches
 * waiting for it (oldest pages first).
 * @returns this batch as its last claim left it, when nothing changed it since.
 */
export const refillAfterRelease = async (
  deps: BatchDeps,
  batchId: string,
  ended: readonly EndedPair[] = [],
  known?: BatchRecord,
): Promise<BatchRecord | undefined> => {
  const own = await refillBatchFrom(deps, batchId, { ended, known });
  if (own.outcome === 'account' || own.outcome === 'quota') return own.batch;
  // Every freed slot taken over by this batch's next pairs: the account has no more room than
  // before, so no other batch can start more.
  if (own.outcome === 'batch' && own.freedSlots === 0) return own.batch;
  let nextToken: string | undefined;
  do {
    const page = await deps.ledger.listActiveBatches(nextToken);
    for (const other of page.records) {
      if (other === batchId) continue;
      const outcome = await refillBatch(deps, other);
      if (outcome === 'account' || outcome === 'quota') return own.batch;
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return own.batch;
};
