import * as v from 'valibot';
import { InputValidationError } from '../errors';
import { MAX_OUTPUT_VALUE_LENGTH } from '../limits';
import { characterLength } from '../text-length';
import { batchSizeArg, itemsArg } from './item-args';
import { itemText } from './items';

/** Input of `inspect-items`. */
export const inspectItemsInput = v.object({
  items: itemsArg,
  batchSize: v.optional(v.pipe(batchSizeArg, v.description('Items per batch, default 1'))),
});

export type InspectItemsInput = v.InferOutput<typeof inspectItemsInput>;

export const inspectItemsOutputs = {
  itemCount: 'Integer',
  hasItems: 'Boolean',
  batchCount: 'Integer',
  meanBatchSize: 'Float',
  firstItem: 'String',
} as const;

/**
 * Typed facts about a list of items, for ConditionSteps to branch on.
 * @throws InputValidationError when the first item does not fit in a String output.
 */
export const inspectItems = ({ items, batchSize = 1 }: InspectItemsInput) => {
  const itemCount = items.length;
  const batchCount = Math.ceil(itemCount / batchSize);
  const firstItem = itemCount === 0 ? '' : itemText(items[0]);
  const length = characterLength(firstItem, MAX_OUTPUT_VALUE_LENGTH);
  if (length > MAX_OUTPUT_VALUE_LENGTH) {
    throw new InputValidationError([
      {
        field: 'items[0]',
        problem: `is ${length} characters as text, over the ${MAX_OUTPUT_VALUE_LENGTH}-character limit of the firstItem output`,
      },
    ]);
  }
  return {
    itemCount,
    hasItems: itemCount > 0,
    batchCount,
    meanBatchSize: batchCount === 0 ? 0 : itemCount / batchCount,
    firstItem,
  };
};
