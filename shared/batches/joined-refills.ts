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

/**
 * Refills of one batch run one at a time in a container, and the ended pairs that arrive while
 * one runs join the next: invocations handled at once (locally; a Lambda container takes one at
 * a time) then make one claim together instead of racing for the batch's cursor. Each refill
 * hands the next what it last knew of the batch, so the next one need not read it again.
 */
export class JoinedRefills<Known> {
  /**
   * @param waitMs how long a refill waits for the one before it: one stuck on a call that never
   *   answers must not hold the batch.
   */
  constructor(private readonly waitMs = 100) {}

  /** Ended pairs of each batch's queued refill, which has not started yet. */
  private readonly queued = new Map<string, EndedPair[]>();
  /** Each batch's last refill, running or queued. */
  private readonly last = new Map<string, Promise<Known | undefined>>();

  /** Whether a refill of the batch is running or queued here. */
  busy(batchId: string): boolean {
    return this.last.has(batchId);
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
    const run = (last === undefined ? known(readAhead) : this.after(last)).then((from) => {
      if (this.queued.get(batchId) === taken) this.queued.delete(batchId);
      return refill(taken, from);
    });
    const tail = run.finally(() => {
      if (this.last.get(batchId) === tail) this.last.delete(batchId);
    });
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

/** A read ahead, or nothing when it failed: the refill then reads for itself. */
const known = <Known>(
  readAhead: Promise<Known | undefined> | undefined,
): Promise<Known | undefined> =>
  readAhead === undefined ? Promise.resolve(undefined) : readAhead.catch(() => undefined);
