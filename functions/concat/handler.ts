import { configFromEnvironment, type StepConfig } from '../../shared/config';
import { defineLambdaStep } from '../../shared/lambda-step';
import { createLogger } from '../../shared/logger';
import { concat, concatInput, concatOutputs } from '../../shared/steps/concat';

export const createHandler = (config: StepConfig) =>
  defineLambdaStep(
    {
      name: 'concat',
      description:
        'Concatenates str1 and str2 into str3 (the SageMaker best-practices example step).',
      input: concatInput,
      outputs: concatOutputs,
      run: concat,
    },
    createLogger(config.logging),
  );

export const handler = createHandler(configFromEnvironment());
