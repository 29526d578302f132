import { problemAt, type SourceEntry, tooLarge } from './entries';
import { splitLines } from './lines';

const isBlank = (bytes: Uint8Array): boolean =>
  bytes.every((byte) => byte === 32 || byte === 9 || byte === 13);

/**
 * JSON Lines (jsonlines.org): one JSON value a line, UTF-8. Blank lines are skipped (a
 * final line break is common; blank lines elsewhere are our leniency). A byte order mark
 * before the first line is dropped.
 */
export async function* readJsonLines(
  bytes: AsyncIterable<Uint8Array>,
  maxItemBytes: number,
): AsyncGenerator<SourceEntry> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const line of splitLines(bytes, maxItemBytes)) {
    const at = `line ${line.number}`;
    if (line.bytes === undefined) {
      yield tooLarge(at, maxItemBytes);
      continue;
    }
    if (isBlank(line.bytes)) continue;
    let text: string;
    try {
      text = decoder.decode(line.bytes);
    } catch {
      yield problemAt(at, 'is not UTF-8 text');
      continue;
    }
    try {
      yield { kind: 'item', item: JSON.parse(text), at };
    } catch (error) {
      yield problemAt(at, `is not a JSON value (${(error as Error).message})`);
    }
  }
}
