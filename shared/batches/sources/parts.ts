import { MAX_PART_BYTES } from '../request';

/** Item parts written at once while a source is stored: memory stays a few parts. */
export const PARTS_IN_FLIGHT = 4;

/**
 * Packs items (as canonical JSON) into the ledger's stored request parts as they are read,
 * exactly as `requestParts` packs inline items (JSON arrays of at most 300,000 bytes, part 1
 * onwards), and writes each part as soon as it is full, with a few writes in flight. Only the
 * part being filled and the writes in flight are held in memory.
 */
export class RequestPartWriter {
  private current: string[] = [];
  private bytes = 2;
  private count = 0;
  private readonly starts: number[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  /** Parts whose write was started (so a failed submission can expire them). */
  written = 0;

  constructor(
    private readonly write: (part: number, body: string) => Promise<void>,
    private readonly maxInFlight = PARTS_IN_FLIGHT,
  ) {}

  /** Adds the next item's canonical JSON (at most `MAX_PART_BYTES - 3` bytes: the caller checked). */
  async add(json: string): Promise<void> {
    const size = Buffer.byteLength(json) + 1;
    if (this.current.length > 0 && this.bytes + size > MAX_PART_BYTES) await this.flush();
    if (this.current.length === 0) this.starts.push(this.count);
    this.current.push(json);
    this.bytes += size;
    this.count++;
  }

  /** Writes the last part and waits for every write: the first index of each part, and the count. */
  async finish(): Promise<{ starts: number[]; itemCount: number }> {
    if (this.current.length > 0) await this.flush();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    return { starts: [...this.starts], itemCount: this.count };
  }

  /** Waits for the writes in flight, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const body = `[${this.current.join(',')}]`;
    this.current = [];
    this.bytes = 2;
    this.written++;
    const pending: Promise<void> = this.write(this.written, body).then(
      () => {
        this.inFlight.delete(pending);
      },
      (error: unknown) => {
        this.inFlight.delete(pending);
        this.failure ??= { error };
      },
    );
    this.inFlight.add(pending);
  }
}
