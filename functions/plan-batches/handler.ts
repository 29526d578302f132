import { configFromEnvironment, type StepConfig } from '../../shared/config';
import { defineLambdaStep } from '../../shared/lambda-step';
import { createLogger } from '../../shared/logger';
import { planBatches, planBatchesInput, planBatchesOutputs } from '../../shared/steps/plan-batches';

export const createHandler = (config: StepConfig) =>
  defineLambdaStep(
    {
      name: 'plan-batches',
      description:
        'Splits items into consecutive batches, returned as a JSON string output (decode with json.loads).',
      input: planBatchesInput,
      outputs: planBatchesOutputs,
      run: planBatches,
    },
    createLogger(config.logging),
  );

export const handler = createHandler(configFromEnvironment());
