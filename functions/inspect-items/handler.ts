import { configFromEnvironment, type StepConfig } from '../../shared/config';
import { defineLambdaStep } from '../../shared/lambda-step';
import { createLogger } from '../../shared/logger';
import {
  inspectItems,
  inspectItemsInput,
  inspectItemsOutputs,
} from '../../shared/steps/inspect-items';

export const createHandler = (config: StepConfig) =>
  defineLambdaStep(
    {
      name: 'inspect-items',
      description:
        'Counts items and batches as typed outputs (itemCount, hasItems, batchCount, meanBatchSize, firstItem) for ConditionSteps.',
      input: inspectItemsInput,
      outputs: inspectItemsOutputs,
      run: inspectItems,
    },
    createLogger(config.logging),
  );

export const handler = createHandler(configFromEnvironment());
