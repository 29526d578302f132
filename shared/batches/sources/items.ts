import { InputValidationError } from '../../errors';
import { readCsv } from './csv';
import { MAX_ITEM_BYTES, problemAt, type SourceEntry } from './entries';
import { readJsonArray } from './json-array';
import { readJsonLines } from './jsonl';
import { readListing } from './listing';
import type { ObjectSource } from './port';
import { SourceProblems } from './problems';
import { DEFAULT_RANGE_BYTES, readObjectBytes } from './read';
import { formatOf, type ItemsFrom, MAX_SOURCE_EXECUTIONS } from './schema';
import type { ItemProblem } from './templates';
import { parseS3Uri } from './uri';

/** Tuning for tests: range size of each read, largest item. */
export interface SourceReadOptions {
  rangeBytes?: number;
  maxItemBytes?: number;
}

/** A source being read: what it is, the version read, and its entries (items or groups). */
export interface OpenedSource {
  uri: string;
  /** The object's entity tag as first read; none for a listing. */
  etag: string | undefined;
  entries: AsyncGenerator<SourceEntry>;
}

const groupAt = (group: number, first: string, last: string): string =>
  first === last ? `group ${group} (${first})` : `group ${group} (${first} to ${last})`;

/** `maxItems` and `itemsPerExecution` over a reader's entries, and the children limit. */
async function* shape(
  entries: AsyncIterable<SourceEntry>,
  itemsFrom: ItemsFrom,
): AsyncGenerator<SourceEntry> {
  const maxItems = itemsFrom.maxItems ?? Number.POSITIVE_INFINITY;
  const size = itemsFrom.itemsPerExecution;
  let read = 0;
  let executions = 0;
  let group: unknown[] = [];
  let first = '';
  let last = '';
  const flush = (): SourceEntry => {
    const entry: SourceEntry = { kind: 'item', item: group, at: groupAt(executions, first, last) };
    group = [];
    executions++;
    return entry;
  };
  for await (const entry of entries) {
    if (entry.kind === 'problem' && entry.fatal) {
      yield entry;
      return;
    }
    if (read >= maxItems) return;
    read++;
    if (entry.kind === 'problem') {
      yield entry;
      continue;
    }
    if (size === undefined) {
      if (executions >= MAX_SOURCE_EXECUTIONS) {
        yield tooMany(entry.at);
        return;
      }
      executions++;
      yield entry;
      continue;
    }
    if (group.length === 0) {
      if (executions >= MAX_SOURCE_EXECUTIONS) {
        yield tooMany(entry.at);
        return;
      }
      first = entry.at;
    }
    group.push(entry.item);
    last = entry.at;
    if (group.length === size) yield flush();
  }
  if (group.length > 0) yield flush();
}

const tooMany = (at: string): SourceEntry =>
  problemAt(
    at,
    `is past the ${MAX_SOURCE_EXECUTIONS.toLocaleString('en-US')}th child a batch may have per pipeline; set maxItems, or itemsPerExecution to group items`,
    { fatal: true },
  );

/**
 * Opens the source an `itemsFrom` names: `HeadObject` for an object (its size and entity tag,
 * which every later read must match), nothing for a listing. The entries are read lazily, as
 * a stream, in order; `maxItems` and `itemsPerExecution` are applied.
 * @throws SourceNotFoundError, SourceAccessError.
 */
export const openSource = async (
  source: ObjectSource,
  itemsFrom: ItemsFrom,
  options: SourceReadOptions = {},
): Promise<OpenedSource> => {
  const location = parseS3Uri(itemsFrom.uri);
  const format = formatOf(itemsFrom);
  // The schema accepted the request: its URI parses and its format is known.
  if (location === undefined || format === undefined) {
    throw new InputValidationError([{ field: 'itemsFrom', problem: 'is not a valid source' }], {
      subject: 'batch request',
    });
  }
  const maxItemBytes = options.maxItemBytes ?? MAX_ITEM_BYTES;
  if (format === 'objects') {
    return {
      uri: itemsFrom.uri,
      etag: undefined,
      entries: shape(readListing(source, location.bucket, location.key), itemsFrom),
    };
  }
  const head = await source.headObject(location);
  const bytes = readObjectBytes(source, location, head, options.rangeBytes ?? DEFAULT_RANGE_BYTES);
  const entries =
    format === 'jsonl'
      ? readJsonLines(bytes, maxItemBytes)
      : format === 'json'
        ? readJsonArray(bytes, maxItemBytes)
        : readCsv(
            bytes,
            { header: itemsFrom.csvHeader ?? 'first-line', delimiter: itemsFrom.delimiter ?? ',' },
            maxItemBytes,
          );
  return { uri: itemsFrom.uri, etag: head.etag, entries: shape(entries, itemsFrom) };
};

/** How a read ended: the items (or groups) accepted. */
export interface SourceRead {
  count: number;
}

/**
 * Reads a source to its end once: each item (or group) is checked (`check`, by the batch's
 * templates) and, while no problem has been found, handed to `accept` with its index. Problems
 * name the line or row and the field; the first 1,000 are kept and the read goes on to count
 * them all. A source with no items is a problem.
 * @throws InputValidationError with the problems, after the whole source was read;
 *   SourceChangedError, SourceNotFoundError, SourceAccessError, SourceReadError.
 */
export const readSource = async (
  opened: OpenedSource,
  check: (item: unknown, index: number) => ItemProblem[],
  accept: (item: unknown, index: number) => void | Promise<void>,
): Promise<SourceRead> => {
  const problems = new SourceProblems();
  let count = 0;
  for await (const entry of opened.entries) {
    if (entry.kind === 'problem') {
      problems.add(entry);
      continue;
    }
    const found = check(entry.item, count);
    for (const problem of found) problems.add({ at: entry.at, ...problem });
    if (found.length === 0 && problems.count === 0) await accept(entry.item, count);
    count++;
  }
  if (count === 0 && problems.count === 0) {
    problems.add({
      at: '',
      problem: `${opened.uri} holds no items; a batch needs at least 1`,
    });
  }
  if (problems.count > 0) throw problems.toError();
  return { count };
};
