import { problemAt, type SourceEntry, tooLarge } from './entries';
import { decodeUtf8, NotUtf8Error } from './text';

/** How a CSV source names its columns, and what separates them. */
export interface CsvOptions {
  header: 'first-line' | readonly string[];
  delimiter: string;
}

/** One record as parsed, before it meets the header. */
interface CsvRecord {
  /** The line the record starts on, 1-based. */
  line: number;
  fields: string[];
  problem?: string;
  /** Characters in the record, counted even when too long to keep. */
  length: number;
}

/**
 * A streaming RFC 4180 parser: fields separated by `delimiter`, records by CRLF, LF or CR,
 * a field in double quotes may hold delimiters, line breaks and `""` for a quote. Stricter
 * than the RFC's "may": a quote inside an unquoted field, or text after a closing quote, is
 * a problem of that record rather than a guess. Holds one record (at most `maxChars`).
 */
async function* parseRecords(
  text: AsyncIterable<string>,
  delimiter: string,
  maxChars: number,
): AsyncGenerator<CsvRecord> {
  let line = 1;
  let record: CsvRecord = { line, fields: [], length: 0 };
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let afterQuote = false;
  let quotePending = false;
  let lastWasCr = false;
  let empty = true;
  const endField = () => {
    if (record.length <= maxChars) record.fields.push(field);
    field = '';
    quoted = false;
    afterQuote = false;
  };
  const fail = (problem: string) => {
    record.problem ??= problem;
  };
  for await (const chunk of text) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (lastWasCr) {
        lastWasCr = false;
        if (c === '\n') continue;
      }
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (c === '"') {
            field += '"';
            record.length++;
            continue;
          }
          inQuotes = false;
          afterQuote = true;
        } else {
          if (c === '"') quotePending = true;
          else {
            if (c === '\n') line++;
            if (record.length <= maxChars) field += c;
            record.length++;
          }
          continue;
        }
      }
      if (c === delimiter) {
        endField();
        record.length++;
        empty = false;
      } else if (c === '\n' || c === '\r') {
        lastWasCr = c === '\r';
        endField();
        line++;
        if (!empty) yield record;
        record = { line, fields: [], length: 0 };
        empty = true;
      } else if (c === '"') {
        empty = false;
        if (field === '' && !quoted && !afterQuote) {
          quoted = true;
          inQuotes = true;
        } else {
          fail(
            afterQuote
              ? 'has a second quote after a closing quote; double a quote inside a quoted field'
              : 'has a quote inside an unquoted field; quote the field and double the quote',
          );
        }
      } else {
        empty = false;
        if (afterQuote) {
          fail(`has text after a closing quote in field ${record.fields.length + 1}`);
        } else if (record.length <= maxChars) field += c;
        record.length++;
      }
    }
  }
  if (quotePending) {
    inQuotes = false;
  }
  if (inQuotes) {
    fail('has a quoted field that never ends (a quote is missing)');
  }
  endField();
  if (!empty) yield record;
}

const headerProblems = (names: readonly string[]): string | undefined => {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name === '') return `has an empty column name (column ${index + 1})`;
    if (seen.has(name)) return `names column ${JSON.stringify(name)} twice`;
    seen.add(name);
  }
  return undefined;
};

/**
 * CSV, UTF-8: each record an object keyed by the header, values strings. With
 * `header: "first-line"` the first record names the columns; a record whose field count
 * differs from the header's is a problem of its row (`row` is the line the record starts on).
 */
export async function* readCsv(
  bytes: AsyncIterable<Uint8Array>,
  options: CsvOptions,
  maxItemBytes: number,
): AsyncGenerator<SourceEntry> {
  let header = options.header === 'first-line' ? undefined : options.header;
  let row = 1;
  try {
    for await (const record of parseRecords(decodeUtf8(bytes), options.delimiter, maxItemBytes)) {
      row = record.line;
      const at = `row ${record.line}`;
      if (header === undefined) {
        const problem =
          record.problem ??
          (record.length > maxItemBytes
            ? `is over ${maxItemBytes} characters`
            : headerProblems(record.fields));
        if (problem !== undefined) {
          yield problemAt(at, `(the header) ${problem}`, { fatal: true });
          return;
        }
        header = record.fields;
        continue;
      }
      if (record.length > maxItemBytes) yield tooLarge(at, maxItemBytes);
      else if (record.problem !== undefined) yield problemAt(at, record.problem);
      else if (record.fields.length !== header.length) {
        yield problemAt(
          at,
          `has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'}; the header has ${header.length} (${header.join(options.delimiter)})`.slice(
            0,
            300,
          ),
        );
      } else {
        const names = header;
        yield {
          kind: 'item',
          item: Object.fromEntries(record.fields.map((value, index) => [names[index], value])),
          at,
        };
      }
    }
  } catch (error) {
    if (!(error instanceof NotUtf8Error)) throw error;
    yield problemAt(`row ${row}`, 'is not UTF-8 text (at or after this row)', { fatal: true });
  }
}
