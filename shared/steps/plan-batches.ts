import * as v from 'valibot';
import { toJsonOutput } from '../json-output';
import { batchSizeArg, itemsArg } from './item-args';
import { splitIntoBatches } from './items';

/** Input of `plan-batches`. */
export const planBatchesInput = v.object({
  items: itemsArg,
  batchSize: v.pipe(batchSizeArg, v.description('Items per batch')),
});

export type PlanBatchesInput = v.InferOutput<typeof planBatchesInput>;

export const planBatchesOutputs = { batches: 'String' } as const;

/**
 * Splits items into consecutive batches, returned as one JSON string output that a
 * processing step decodes with `json.loads` and `fan-out` accepts as its `items`.
 * @throws OutputTooLargeError when the batches do not fit in one output value.
 */
export const planBatches = ({ items, batchSize }: PlanBatchesInput): { batches: string } => ({
  batches: toJsonOutput('batches', splitIntoBatches(items, batchSize)),
});
