/** One line of a text object: its bytes without the line break, or `undefined` when too long. */
export interface Line {
  /** 1-based. */
  number: number;
  bytes: Uint8Array | undefined;
  /** Its length in bytes (at least `maxBytes + 1` when the line was too long to keep). */
  length: number;
}

const concat = (parts: readonly Uint8Array[], length: number): Uint8Array => {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
};

/**
 * Splits a byte stream at `\n` (a `\r` before it is dropped), holding at most one line of
 * `maxBytes` in memory: a longer line is counted and skipped, not kept.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Line> {
  let pending: Uint8Array[] = [];
  let length = 0;
  let number = 1;
  const take = (): Line => {
    let bytes = length > maxBytes ? undefined : concat(pending, length);
    if (bytes !== undefined && bytes.byteLength > 0 && bytes[bytes.byteLength - 1] === 13) {
      bytes = bytes.subarray(0, bytes.byteLength - 1);
    }
    const line = { number, bytes, length };
    pending = [];
    length = 0;
    number++;
    return line;
  };
  const keep = (piece: Uint8Array) => {
    length += piece.byteLength;
    if (length > maxBytes) pending = [];
    else if (piece.byteLength > 0) pending.push(piece);
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (let at = chunk.indexOf(10, from); at >= 0; at = chunk.indexOf(10, from)) {
      keep(chunk.subarray(from, at));
      yield take();
      from = at + 1;
    }
    keep(chunk.subarray(from));
  }
  if (length > 0) yield take();
}
