/**
 * The ledger: the durable record of every batch, the source of truth for "was this
 * started". A narrow port; the DynamoDB adapter implements it with single-item
 * conditional writes only (no transactions), each of which changes nothing when applied
 * a second time.
 */

export const BATCH_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPING', 'STOPPED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

const TERMINAL = ['SUCCEEDED', 'FAILED', 'STOPPED'] as const;
export type TerminalStatus = (typeof TERMINAL)[number];

/**
 * A started (pipeline, item):
 * - `STARTING`: claimed and recorded, StartPipelineExecution not yet answered (or answered
 *   ambiguously); retried with the same token;
 * - `PENDING`: put back (ResourceLimitExceeded, throttling, account budget); started again later;
 * - `RUNNING`, then one of the terminal statuses.
 */
export const EXECUTION_STATUSES = ['STARTING', 'PENDING', 'RUNNING', ...TERMINAL] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(TERMINAL);
export const isTerminal = (status: ExecutionStatus): status is TerminalStatus =>
  TERMINAL_STATUSES.has(status);

/** An attempt of a pair that ended, as settling counts it. */
export interface EndedPair {
  pair: number;
  attempt: number;
  outcome: TerminalStatus;
}

/** The ended attempts of distinct pairs (a pair named twice counts once). */
export const uniquePairs = (pairs: readonly EndedPair[]): EndedPair[] => [
  ...new Map(pairs.map((ended) => [ended.pair, ended])).values(),
];

/** A claimed (pipeline, item): the attempt it runs and when it was claimed (epoch ms). */
export interface Claim {
  attempt: number;
  claimedAt: number;
  /**
   * The account slot it holds when it took over the slot of a pair that ended (the claim that
   * freed that pair claimed this one); absent, its own {@link slotHolder}.
   */
  holder?: string | undefined;
}

/** The account slot holder of a claimed pair. */
export const claimHolder = (batchId: string, pair: number, claim: Claim): string =>
  claim.holder ?? slotHolder(batchId, pair, claim.attempt);

/** The claims a write freed, by pair index. */
export type FreedClaims = Record<string, Claim>;

/** One batch record. */
export interface BatchRecord {
  batchId: string;
  batchKey: string;
  fingerprint: string;
  fingerprintParts: Record<string, string>;
  /** Stored request parts (see `requestParts`). */
  requestParts: number;
  createdAt: string;
  createdBy: string;
  status: BatchStatus;
  pipelineCount: number;
  itemCount: number;
  /** (pipeline, item) pairs: pipelineCount × itemCount. */
  pairs: number;
  maxConcurrentExecutions: number;
  /** The next pair never claimed: pairs from here on are pending. */
  cursor: number;
  /** Claimed pairs (starting or running), by pair index. */
  running: Record<string, Claim>;
  /** Pairs put back to pending, by pair index, with the attempt they will run. */
  requeued: Record<string, number>;
  succeeded: number;
  failed: number;
  stopped: number;
  /** Id of the last claim, so a claim whose answer was lost can tell it was applied. */
  lastClaimId: string | undefined;
  finishedAt: string | undefined;
  /** Failure tolerance (shared/batches/tolerance.ts); neither set tolerates no failure. */
  toleratedFailureCount?: number | undefined;
  toleratedFailurePercentage?: number | undefined;
  /** The Callback step waiting for this batch, when a Callback message submitted it. */
  callback?: BatchCallback | undefined;
  /** The answer given to that callback, or why none could be given. */
  callbackAnswer?: CallbackAnswer | undefined;
  /** Where the results manifest of the batch's last end was written. */
  resultsUri?: string | undefined;
}

/** The Callback step a batch answers: the token of its latest message and who sent it. */
export interface BatchCallback {
  token: string;
  parentExecutionArn: string;
  stepName: string;
  receivedAt: string;
  /** The token came from the same step again (a retried parent), not from the submission. */
  retry?: boolean;
}

/** What the batch answered its callback token, or (`late`) why SageMaker no longer took it. */
export interface CallbackAnswer {
  token: string;
  outcome: 'success' | 'failure';
  at: string;
  late?: string | undefined;
}

/** Batch fields written apart from the counts: the callback, its answer, the results. */
export type BatchFields = Partial<Pick<BatchRecord, 'callback' | 'callbackAnswer' | 'resultsUri'>>;

/** Counts of a batch, as the API reports them. */
export interface BatchCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  stopped: number;
}

export const countsOf = (batch: BatchRecord): BatchCounts => ({
  total: batch.pairs,
  pending: pendingOf(batch),
  running: Object.keys(batch.running).length,
  succeeded: batch.succeeded,
  failed: batch.failed,
  stopped: batch.stopped,
});

export const pendingOf = (batch: BatchRecord): number =>
  batch.pairs - batch.cursor + Object.keys(batch.requeued).length;

/** Where a new batch starts: nothing claimed, requeued or counted yet. */
export const NEW_BATCH_PROGRESS = {
  cursor: 0,
  running: {},
  requeued: {},
  succeeded: 0,
  failed: 0,
  stopped: 0,
} as const satisfies Partial<BatchRecord>;

/** A new batch, as `createBatch` writes it (its progress {@link NEW_BATCH_PROGRESS}). */
export type NewBatch = Omit<
  BatchRecord,
  keyof typeof NEW_BATCH_PROGRESS | 'lastClaimId' | 'finishedAt'
>;

/** The record of one started (pipeline, item). */
export interface ExecutionRecord {
  batchId: string;
  pair: number;
  pipeline: string;
  itemIndex: number;
  attempt: number;
  clientRequestToken: string;
  status: ExecutionStatus;
  executionArn: string | undefined;
  failureReason: string | undefined;
  /** When this attempt was claimed or last put back to starting (epoch ms). */
  claimedAt: number;
  /** A start whose outcome is unknown: it may exist, so it is never put back to pending. */
  ambiguous: boolean;
  endedAt: string | undefined;
  /** When SageMaker answered the start of this attempt. */
  startedAt?: string | undefined;
  /** The outcome of the previous attempt, when a redrive made this one. */
  redrivenFrom?: TerminalStatus | undefined;
}

/** What one claim takes: requeued pairs (with their attempts) and `count` pairs from the cursor. */
export interface ClaimRequest {
  batchId: string;
  claimId: string;
  /** The cursor and the number of claimed pairs as read; the claim fails if either changed. */
  cursor: number;
  runningBefore: number;
  maxConcurrentExecutions: number;
  fromRequeued: ReadonlyArray<{ pair: number; attempt: number }>;
  fromCursor: number;
  now: number;
  /**
   * Ended attempts freed and counted by the same write (each must still be claimed with its
   * attempt): their room is what the claim takes.
   */
  settling?: readonly EndedPair[];
  /** Account slot holders the claimed pairs take over from settling ones, by claimed pair. */
  holders?: Readonly<Record<string, string>>;
}

/** A page of records and the token of the next one. */
export interface Page<T> {
  records: T[];
  nextToken: string | undefined;
}

export interface BatchLedger {
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  /** Writes a new batch unless one with the id exists; `false` when it does. */
  createBatch(batch: NewBatch): Promise<boolean>;
  /** Writes part `part` of a request (idempotent: the same content for the same fingerprint). */
  putRequestPart(batchId: string, fingerprint: string, part: number, body: string): Promise<void>;
  getRequestPart(batchId: string, fingerprint: string, part: number): Promise<string | undefined>;
  /** Marks a finished batch's request parts for expiry. */
  expireRequestPart(
    batchId: string,
    fingerprint: string,
    part: number,
    expiresAt: number,
  ): Promise<void>;
  /**
   * Claims pairs for starting.
   * @returns the batch as the claim left it, or undefined when the batch changed since it was
   *   read (and nothing was written).
   */
  claim(request: ClaimRequest): Promise<BatchRecord | undefined>;
  /**
   * Moves a claimed pair back to pending.
   * @returns the claim it freed, or undefined when the pair is not claimed with that attempt.
   */
  requeue(batchId: string, pair: number, attempt: number): Promise<Claim | undefined>;
  /**
   * Frees a claimed pair and counts its outcome.
   * @returns the claim it freed, or undefined when it was already freed.
   */
  settle(
    batchId: string,
    pair: number,
    attempt: number,
    outcome: TerminalStatus,
  ): Promise<Claim | undefined>;
  /**
   * Frees several claimed pairs of one batch and counts their outcomes in one write, all or
   * none.
   * @returns the claims it freed, or undefined when any of them is not claimed with its attempt
   *   (settle those one by one).
   */
  settleMany(batchId: string, children: readonly EndedPair[]): Promise<FreedClaims | undefined>;
  /**
   * Ends a batch when nothing is claimed and (unless `allowPending`: a stopping batch, or one
   * past its failure tolerance) nothing is pending; `false` otherwise.
   */
  finishBatch(
    batchId: string,
    from: BatchStatus,
    to: BatchStatus,
    pairs: number,
    finishedAt: string,
    expiresAt: number,
    allowPending?: boolean,
  ): Promise<boolean>;
  /** Writes fields of a batch; with `ifCallbackToken`, only while its callback has that token. */
  setBatchFields(batchId: string, fields: BatchFields, ifCallbackToken?: string): Promise<boolean>;
  /** `RUNNING` to `STOPPING`; `false` when the batch is not running. */
  requestStop(batchId: string): Promise<boolean>;
  /** An ended batch (status one of `from`) runs again: `RUNNING`, active, no end time. */
  reopenBatch(batchId: string, from: readonly BatchStatus[]): Promise<boolean>;
  /**
   * Moves a `FAILED` or `STOPPED` execution record of `fromAttempt` to the next attempt,
   * `PENDING`, with its new token; `false` when it is not in that state.
   */
  redriveExecution(
    batchId: string,
    pair: number,
    fromAttempt: number,
    clientRequestToken: string,
  ): Promise<boolean>;
  /**
   * Puts a redriven pair back to pending with its new attempt and takes it off the count of
   * its old outcome; `false` when it is already pending or claimed.
   */
  requeueRedriven(
    batchId: string,
    pair: number,
    attempt: number,
    from: 'FAILED' | 'STOPPED',
  ): Promise<boolean>;
  getExecution(batchId: string, pair: number): Promise<ExecutionRecord | undefined>;
  /** Writes an execution record unless one exists for the pair; `false` when one does. */
  createExecution(record: ExecutionRecord): Promise<boolean>;
  /**
   * Changes an execution record whose attempt is `attempt` and status one of `from` (and, with
   * `ifExecutionArn`, whose execution ARN is that one); `false` when it is not in that state.
   */
  updateExecution(
    batchId: string,
    pair: number,
    attempt: number,
    from: readonly ExecutionStatus[],
    change: ExecutionChange,
    ifExecutionArn?: string,
  ): Promise<boolean>;
  /** Pages a batch's execution records, optionally with one status. */
  listExecutions(
    batchId: string,
    options: { status?: ExecutionStatus; limit: number; nextToken?: string },
  ): Promise<Page<ExecutionRecord>>;
  /** Pages the ids of batches still running or stopping. */
  listActiveBatches(nextToken?: string): Promise<Page<string>>;
  /** Takes an account slot unless `limit` are taken; taking a slot already held succeeds. */
  acquireAccountSlot(holder: string, limit: number, now: number): Promise<boolean>;
  /**
   * Takes account slots for new holders all at once, or none when fewer than their number
   * are free: one write for the pairs of one claim instead of one each.
   */
  acquireAccountSlots(holders: readonly string[], limit: number, now: number): Promise<boolean>;
  /**
   * Gives back the slots of `release` (every one of them held) and takes slots for the new
   * holders of `take` in one write, or changes nothing when one of `release` is not held or the
   * account lacks room for `take` once `release` is given back.
   * @returns how many slots are held after the write, or undefined when it changed nothing.
   */
  exchangeAccountSlots(
    release: readonly string[],
    take: readonly string[],
    limit: number,
    now: number,
  ): Promise<number | undefined>;
  releaseAccountSlot(holder: string): Promise<void>;
  /** Gives back several account slots in one write; a slot not held is skipped. */
  releaseAccountSlots(holders: readonly string[]): Promise<void>;
  /** The account slots held, by holder, with when each was taken (epoch ms). */
  accountSlots(): Promise<Record<string, number>>;
}

/** A change of an execution record. */
export interface ExecutionChange {
  status: ExecutionStatus;
  executionArn?: string;
  failureReason?: string;
  claimedAt?: number;
  ambiguous?: boolean;
  endedAt?: string;
  expiresAt?: number;
  startedAt?: string;
}

/** The account slot holder of one attempt of a (batch, pair). */
export const slotHolder = (batchId: string, pair: number, attempt: number): string =>
  `${batchId}#${pair}#${attempt}`;

export const parseSlotHolder = (
  holder: string,
): { batchId: string; pair: number; attempt: number } | undefined => {
  const match = /^([0-9a-f]{12})#(0|[1-9][0-9]*)#([1-9][0-9]*)$/.exec(holder);
  return match?.[1] === undefined
    ? undefined
    : { batchId: match[1], pair: Number(match[2]), attempt: Number(match[3]) };
};
