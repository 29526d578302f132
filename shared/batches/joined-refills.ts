import type { EndedPair } from './ledger';

/**
 * A refill of one batch: frees and counts `ended`, starting from `known` (what the refill before
 * it left, or a record read ahead) when given.
 * @returns what the next refill may start from, or undefined when it must read afresh.
 */
export type JoinableRefill<Known> = (
  ended: EndedPair[],
  known: Known | undefined,
) => Promise<Known | undefined>;

/** How long a container keeps what its last refill of a batch knew, for the next one. */
export const KEEP_KNOWN_MS = 1_000;
/** How long a container reads afresh after a kept record turned out stale. */
export const STALE_COOL_DOWN_MS = 10_000;

/**
 * Refills of one batch run one at a time in a container, and the ended pairs that arrive while
 * one runs join the next: invocations handled at once (locally; a Lambda container takes one at
 * a time) then make one claim together instead of racing for the batch's cursor. Each refill
 * hands the next what it last knew of the batch, so the next one need not read it again; a
 * refill that comes soon after (within {@link KEEP_KNOWN_MS}) starts from it too, unless one
 * that did found it stale lately (other containers refill the batch), and then reads.
 */
export class JoinedRefills<Known> {
  /**
   * @param waitMs how long a refill waits for the one before it: one stuck on a call that never
   *   answers must not hold the batch.
   */
  constructor(
    private readonly waitMs = 100,
    private readonly clock: () => number = Date.now,
  ) {}

  /** What each batch's last refill left, and when. */
  private readonly kept = new Map<string, { known: Known; at: number }>();
  /** When a refill that started from a kept record last came back with nothing to keep. */
  private readonly staleAt = new Map<string, number>();

  /** Ended pairs of each batch's queued refill, which has not started yet. */
  private readonly queued = new Map<string, EndedPair[]>();
  /** Each batch's last refill, running or queued. */
  private readonly last = new Map<string, Promise<Known | undefined>>();

  /**
   * Whether a refill of the batch is running or queued here, or left a record the next one will
   * start from: either way the next refill needs no read of its own.
   */
  busy(batchId: string): boolean {
    return this.last.has(batchId) || this.keptOf(batchId) !== undefined;
  }

  private keep(batchId: string, known: Known): void {
    const now = this.clock();
    for (const [id, kept] of this.kept) if (now - kept.at > KEEP_KNOWN_MS) this.kept.delete(id);
    this.kept.set(batchId, { known, at: now });
  }

  /** What the last refill of the batch left, while it may still be current. */
  private keptOf(batchId: string): Known | undefined {
    const kept = this.kept.get(batchId);
    const now = this.clock();
    if (kept === undefined || now - kept.at > KEEP_KNOWN_MS) return undefined;
    const stale = this.staleAt.get(batchId);
    return stale !== undefined && now - stale < STALE_COOL_DOWN_MS ? undefined : kept.known;
  }

  /**
   * Runs `refill` with `ended` once the batch's running refill is over, together with the
   * pairs that others join meanwhile. It starts from what the refill before it left, or, when
   * none ran before it, from `readAhead`.
   * @returns when the refill that took `ended` is over (rejected when it failed).
   */
  async join(
    batchId: string,
    ended: readonly EndedPair[],
    refill: JoinableRefill<Known>,
    readAhead?: Promise<Known | undefined>,
  ): Promise<void> {
    const queued = this.queued.get(batchId);
    const last = this.last.get(batchId);
    if (queued !== undefined && last !== undefined) {
      queued.push(...ended);
      await last;
      return;
    }
    const taken = [...ended];
    this.queued.set(batchId, taken);
    const kept = last === undefined ? this.keptOf(batchId) : undefined;
    this.kept.delete(batchId);
    const start =
      last !== undefined ? this.after(last) : known(kept === undefined ? readAhead : kept);
    const run = start.then(async (from) => {
      if (this.queued.get(batchId) === taken) this.queued.delete(batchId);
      const left = await refill(taken, from);
      if (left === undefined && kept !== undefined) this.staleAt.set(batchId, this.clock());
      return left;
    });
    const tail: Promise<Known | undefined> = run.then(
      (left) => {
        // Kept for a refill that comes later; one queued behind this one gets it from `after`.
        if (this.last.get(batchId) === tail) {
          this.last.delete(batchId);
          if (left !== undefined) this.keep(batchId, left);
        }
        return left;
      },
      (error: unknown) => {
        if (this.last.get(batchId) === tail) this.last.delete(batchId);
        throw error;
      },
    );
    this.last.set(batchId, tail);
    await tail;
  }

  /** What `last` left, once it is over; undefined when it failed or took longer than `waitMs`. */
  private after(last: Promise<Known | undefined>): Promise<Known | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.waitMs);
      timer.unref();
    });
    return Promise.race([last.catch(() => undefined), waited]).finally(() => clearTimeout(timer));
  }
}

/** A kept record or a read ahead, or nothing when the read failed: the refill then reads. */
const known = <Known>(
  from: Known | Promise<Known | undefined> | undefined,
): Promise<Known | undefined> => Promise.resolve(from).catch(() => undefined);
