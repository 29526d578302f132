import { problemAt, type SourceEntry, tooLarge } from './entries';
import { decodeUtf8, NotUtf8Error } from './text';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Where the scanner is: outside the array, between its values, or inside one. */
type State = 'before' | 'value-or-end' | 'value' | 'comma-or-end' | 'in-value' | 'after';

/**
 * A JSON array read as a stream: a small scanner finds each top-level value's text (tracking
 * strings, escapes and nesting), and only that value is parsed, so 100,000 items never sit in
 * memory as one document. A value that is not JSON is a problem of that element; an array
 * whose structure breaks (a missing comma, text after the closing bracket) ends the read with
 * a problem, since what follows cannot be told apart.
 */
export async function* readJsonArray(
  bytes: AsyncIterable<Uint8Array>,
  maxItemBytes: number,
): AsyncGenerator<SourceEntry> {
  let state: State = 'before';
  let line = 1;
  let element = 0;
  let valueLine = 1;
  let parts: string[] = [];
  let length = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  const at = () => `element ${element} (line ${valueLine})`;
  const finish = (): SourceEntry => {
    const entry: SourceEntry =
      length > maxItemBytes ? tooLarge(at(), maxItemBytes) : parse(parts.join(''), at());
    parts = [];
    length = 0;
    element++;
    return entry;
  };
  const structure = (problem: string): SourceEntry =>
    problemAt(`line ${line}`, problem, { fatal: true });
  try {
    for await (const chunk of decodeUtf8(bytes)) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i] as string;
        if (state === 'in-value') {
          if (c === '\n') line++;
          if (inString) {
            if (escaped) escaped = false;
            else if (c === '\\') escaped = true;
            else if (c === '"') {
              inString = false;
              if (depth === 0) {
                keep(chunk.slice(start, i + 1));
                yield finish();
                state = 'comma-or-end';
              }
            }
            continue;
          }
          if (c === '"') inString = true;
          else if (c === '{' || c === '[') depth++;
          else if (c === '}' || c === ']') {
            if (depth === 0) {
              keep(chunk.slice(start, i));
              yield finish();
              state = 'comma-or-end';
              i--;
              continue;
            }
            depth--;
            if (depth === 0) {
              keep(chunk.slice(start, i + 1));
              yield finish();
              state = 'comma-or-end';
            }
          } else if (depth === 0 && (c === ',' || WHITESPACE.has(c))) {
            keep(chunk.slice(start, i));
            yield finish();
            state = 'comma-or-end';
            i--;
            if (c === '\n') line--;
          }
          continue;
        }
        if (c === '\n') line++;
        if (WHITESPACE.has(c)) continue;
        if (state === 'before') {
          if (c !== '[') {
            yield structure(`is not a JSON array: expected [, found ${JSON.stringify(c)}`);
            return;
          }
          state = 'value-or-end';
        } else if (state === 'value-or-end' || state === 'value') {
          if (c === ']' && state === 'value-or-end' && element === 0) state = 'after';
          else if (c === ']' || c === ',') {
            yield structure(`expected a value after ${element === 0 ? '[' : ','}, found ${c}`);
            return;
          } else {
            state = 'in-value';
            valueLine = line;
            start = i;
            inString = c === '"';
            depth = c === '{' || c === '[' ? 1 : 0;
          }
        } else if (state === 'comma-or-end') {
          if (c === ',') state = 'value';
          else if (c === ']') state = 'after';
          else {
            yield structure(
              `expected , or ] after element ${element - 1}, found ${JSON.stringify(c)}`,
            );
            return;
          }
        } else {
          yield structure(`has ${JSON.stringify(c)} after the array's closing ]`);
          return;
        }
      }
      if (state === 'in-value') keep(chunk.slice(start));
    }
  } catch (error) {
    if (!(error instanceof NotUtf8Error)) throw error;
    yield structure('is not UTF-8 text (at or after this line)');
    return;
  }
  if (state === 'in-value' && depth === 0 && !inString) {
    yield finish();
    state = 'comma-or-end';
  }
  if ((state as State) !== 'after') {
    yield structure(
      state === 'before'
        ? 'is empty: expected a JSON array'
        : 'ends before the array closes (no ])',
    );
  }

  function keep(text: string) {
    length += text.length;
    if (length <= maxItemBytes) parts.push(text);
  }
}

const parse = (text: string, at: string): SourceEntry => {
  try {
    return { kind: 'item', item: JSON.parse(text), at };
  } catch (error) {
    return problemAt(at, `is not a JSON value (${(error as Error).message})`);
  }
};
