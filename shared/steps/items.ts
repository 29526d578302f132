import * as v from 'valibot';
import { integerArg, jsonArrayArg } from '../parsers';

/** Most items one request may carry: our limit, sized for one Lambda invocation's payload. */
export const MAX_ITEMS = 10_000;

/** Largest batch size accepted; a batch never needs to exceed the item limit. */
export const MAX_BATCH_SIZE = MAX_ITEMS;

/** A list of items: any JSON values, as an array or as a string holding a JSON array. */
export const itemsArg = v.pipe(
  jsonArrayArg(v.pipe(v.array(v.unknown()), v.maxLength(MAX_ITEMS))),
  v.description(`Up to ${MAX_ITEMS} items, any JSON values: a JSON array, or a string holding one`),
);

/** A batch size argument: an integer (or integer string) from 1 to {@link MAX_BATCH_SIZE}. */
export const batchSizeArg = v.pipe(integerArg, v.minValue(1), v.maxValue(MAX_BATCH_SIZE));

/** Renders an item as text: strings as they are, anything else as JSON. */
export const itemText = (item: unknown): string =>
  typeof item === 'string' ? item : (JSON.stringify(item) ?? 'null');

/** Splits items, in order, into consecutive batches of `size` (the last may be shorter). */
export const splitIntoBatches = <T>(items: readonly T[], size: number): T[][] => {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    batches.push(items.slice(start, start + size));
  }
  return batches;
};
