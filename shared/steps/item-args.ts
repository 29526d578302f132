import * as v from 'valibot';
import { integerArg, jsonArrayArg } from '../parsers';
import { MAX_BATCH_SIZE, MAX_ITEMS } from './items';

/**
 * The item arguments of the LambdaSteps that take a list of items (`inspect-items`,
 * `plan-batches`). Apart from items.ts so that bundles which only need the limits (the
 * fan-out) do not build these schemas at load.
 */

/** A list of items: any JSON values, as an array or as a string holding a JSON array. */
export const itemsArg = v.pipe(
  jsonArrayArg(v.pipe(v.array(v.unknown()), v.maxLength(MAX_ITEMS))),
  v.description(`Up to ${MAX_ITEMS} items, any JSON values: a JSON array, or a string holding one`),
);

/** A batch size argument: an integer (or integer string) from 1 to {@link MAX_BATCH_SIZE}. */
export const batchSizeArg = v.pipe(integerArg, v.minValue(1), v.maxValue(MAX_BATCH_SIZE));
