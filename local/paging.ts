/** Pagination, sorting and time filters shared by the List operations. */
import { ValidationError } from './errors';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** Page size when a List request sets no MaxResults (ours; the API model only caps it at 100). */
export const DEFAULT_PAGE_SIZE = 50;

/** A request timestamp: JSON 1.1 sends epoch seconds; ISO text is accepted too. */
function asDate(value: unknown): Date | undefined {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') return new Date(value);
  return undefined;
}

/** The List filter of `CreatedAfter` and `CreatedBefore` (both exclusive; either may be absent). */
export function createdWithin(input: Input): (item: { creationTime: Date }) => boolean {
  const after = asDate(input.CreatedAfter);
  const before = asDate(input.CreatedBefore);
  return ({ creationTime }) =>
    (!after || creationTime > after) && (!before || creationTime < before);
}

/**
 * Where an item sorts: by its first member (a time in ms, a name or an ARN), then by the second,
 * its creation order, so that no two items share a key.
 */
export type SortKey = readonly [number | string, number];

function compareKeys(a: SortKey, b: SortKey): number {
  const [first, second] = [a[0], b[0]];
  const primary =
    typeof first === 'number' && typeof second === 'number'
      ? first - second
      : String(first).localeCompare(String(second));
  return primary || a[1] - b[1];
}

function decodeToken(token: string): SortKey {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    Array.isArray(key) &&
    key.length === 2 &&
    (typeof key[0] === 'number' || typeof key[0] === 'string') &&
    typeof key[1] === 'number'
  ) {
    return key as unknown as SortKey;
  }
  throw new ValidationError(`Invalid NextToken '${token}'`);
}

/**
 * A List operation's answer: one page of `items` under `member`, each as `view` shows it, sorted by
 * `key` (descending unless SortOrder is Ascending, or `ascending` is set for unsorted lists), and
 * NextToken when more follow. NextToken holds the key of the last item listed, not an offset, so
 * items created between two requests neither repeat nor push others off the next page.
 */
export function listPage<T>(
  input: Input,
  list: {
    member: string;
    items: T[];
    key: (item: T) => SortKey;
    view: (item: T) => unknown;
    ascending?: boolean;
  },
): Output {
  const sign = (list.ascending ?? input.SortOrder === 'Ascending') ? 1 : -1;
  let sorted = list.items
    .map((item) => ({ item, key: list.key(item) }))
    .sort((a, b) => sign * compareKeys(a.key, b.key));
  if (typeof input.NextToken === 'string' && input.NextToken !== '') {
    const after = decodeToken(input.NextToken);
    sorted = sorted.filter((entry) => sign * compareKeys(entry.key, after) > 0);
  }
  const size = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_PAGE_SIZE;
  const slice = sorted.slice(0, size);
  const last = slice.at(-1);
  const answer = { [list.member]: slice.map((entry) => list.view(entry.item)) };
  return sorted.length > size && last
    ? { ...answer, NextToken: Buffer.from(JSON.stringify(last.key), 'utf8').toString('base64url') }
    : answer;
}
