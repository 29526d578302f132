import type { EndedPair } from './ledger';

/**
 * Refills of one batch run one at a time in a container, and the ended pairs that arrive while
 * one runs join the next: invocations handled at once (locally; a Lambda container takes one at
 * a time) then make one claim together instead of racing for the batch's cursor.
 */
export class JoinedRefills {
  /**
   * @param waitMs how long a refill waits for the one before it: one stuck on a call that never
   *   answers must not hold the batch.
   */
  constructor(private readonly waitMs = 100) {}

  /** Ended pairs of each batch's queued refill, which has not started yet. */
  private readonly queued = new Map<string, EndedPair[]>();
  /** Each batch's last refill, running or queued. */
  private readonly last = new Map<string, Promise<void>>();

  /**
   * Runs `refill` with `ended` once the batch's running refill is over, together with the
   * pairs that others join meanwhile.
   * @returns when the refill that took `ended` is over (rejected when it failed).
   */
  join(
    batchId: string,
    ended: readonly EndedPair[],
    refill: (ended: EndedPair[]) => Promise<void>,
  ): Promise<void> {
    const queued = this.queued.get(batchId);
    const last = this.last.get(batchId);
    if (queued !== undefined && last !== undefined) {
      queued.push(...ended);
      return last;
    }
    const taken = [...ended];
    this.queued.set(batchId, taken);
    const run = this.after(last).then(() => {
      if (this.queued.get(batchId) === taken) this.queued.delete(batchId);
      return refill(taken);
    });
    const tail = run.finally(() => {
      if (this.last.get(batchId) === tail) this.last.delete(batchId);
    });
    this.last.set(batchId, tail);
    return tail;
  }

  /** Resolves when `last` is over, or after `waitMs` at most. */
  private after(last: Promise<void> | undefined): Promise<void> {
    if (last === undefined) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.waitMs);
      timer.unref();
    });
    return Promise.race([last.catch(() => undefined), waited]).finally(() => clearTimeout(timer));
  }
}
