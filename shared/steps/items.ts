/** Most items one request may carry: our limit, sized for one Lambda invocation's payload. */
export const MAX_ITEMS = 10_000;

/** Largest batch size accepted; a batch never needs to exceed the item limit. */
export const MAX_BATCH_SIZE = MAX_ITEMS;

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
