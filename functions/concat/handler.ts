import { defineLambdaStep } from '../../shared/lambda-step';
import { concat, concatInput, concatOutputs } from '../../shared/steps/concat';

export const handler = defineLambdaStep({
  name: 'concat',
  description: 'Concatenates str1 and str2 into str3 (the SageMaker best-practices example step).',
  input: concatInput,
  outputs: concatOutputs,
  run: concat,
});
