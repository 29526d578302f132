import { defineLambdaStep } from '../../shared/lambda-step';
import { planBatches, planBatchesInput, planBatchesOutputs } from '../../shared/steps/plan-batches';

export const handler = defineLambdaStep({
  name: 'plan-batches',
  description:
    'Splits items into consecutive batches, returned as a JSON string output (decode with json.loads).',
  input: planBatchesInput,
  outputs: planBatchesOutputs,
  run: planBatches,
});
