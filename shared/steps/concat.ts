import * as v from 'valibot';
import { InputValidationError } from '../errors';
import { MAX_OUTPUT_VALUE_LENGTH } from '../limits';
import { characterLength } from '../text-length';

/** Input of `concat`, the step of SageMaker's best-practices example (`inputs={"str1": "Hello", "str2": " World"}`). */
export const concatInput = v.object({
  str1: v.pipe(v.string(), v.description('First part (may be empty)')),
  str2: v.pipe(v.string(), v.description('Second part (may be empty)')),
});

export type ConcatInput = v.InferOutput<typeof concatInput>;

export const concatOutputs = { str3: 'String' } as const;

/**
 * Joins the two parts. The joined string must fit in the `str3` output, so an
 * over-long pair is the caller's error, reported as one.
 * @throws InputValidationError when str1 + str2 is over an output value's limit.
 */
export const concat = ({ str1, str2 }: ConcatInput): { str3: string } => {
  const length =
    str1.length + str2.length <= MAX_OUTPUT_VALUE_LENGTH
      ? str1.length + str2.length
      : characterLength(str1) + characterLength(str2);
  if (length > MAX_OUTPUT_VALUE_LENGTH) {
    throw new InputValidationError([
      {
        field: 'str2',
        problem: `str1 + str2 is ${length} characters, ${length - MAX_OUTPUT_VALUE_LENGTH} over the ${MAX_OUTPUT_VALUE_LENGTH}-character limit of the str3 output`,
      },
    ]);
  }
  return { str3: str1 + str2 };
};
