/** Pagination, sorting and time filters shared by the List operations. */
import { validationError } from './api/errors';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** Page size when a List request sets no MaxResults (ours; the API model only caps it at 100). */
export const DEFAULT_PAGE_SIZE = 50;

/** A request timestamp: JSON 1.1 sends epoch seconds; ISO text is accepted too. */
export function asDate(value: unknown): Date | undefined {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') return new Date(value);
  return undefined;
}

/** One page of `items` from the request's NextToken and MaxResults (NextToken is an opaque offset). */
export function page<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (typeof input.NextToken === 'string' && input.NextToken !== '') {
    const decoded = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw validationError(`Invalid NextToken '${input.NextToken}'`);
    }
    offset = decoded;
  }
  const size = typeof input.MaxResults === 'number' ? input.MaxResults : DEFAULT_PAGE_SIZE;
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { items: slice, nextToken: Buffer.from(String(next), 'utf8').toString('base64url') }
    : { items: slice };
}

/** Sorts by time; ties keep creation order (reversed when descending), as items share milliseconds. */
export function sortByTime<T>(items: T[], time: (item: T) => Date, order: unknown): T[] {
  const sign = order === 'Ascending' ? 1 : -1;
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => sign * (time(a.item).getTime() - time(b.item).getTime() || a.index - b.index))
    .map(({ item }) => item);
}
