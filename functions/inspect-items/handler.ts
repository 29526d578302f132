import { defineLambdaStep } from '../../shared/lambda-step';
import {
  inspectItems,
  inspectItemsInput,
  inspectItemsOutputs,
} from '../../shared/steps/inspect-items';

export const handler = defineLambdaStep({
  name: 'inspect-items',
  description:
    'Counts items and batches as typed outputs (itemCount, hasItems, batchCount, meanBatchSize, firstItem) for ConditionSteps.',
  input: inspectItemsInput,
  outputs: inspectItemsOutputs,
  run: inspectItems,
});
