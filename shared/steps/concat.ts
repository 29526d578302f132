import * as z from 'zod/mini';
import { MAX_OUTPUT_VALUE_LENGTH } from '../limits';
import { characterLength } from '../text-length';

/**
 * Input of `concat`, the step of SageMaker's best-practices example
 * (`inputs={"str1": "Hello", "str2": " World"}`). The joined string must fit in the
 * `str3` output, so an over-long pair is the caller's error, reported here.
 */
export const concatInput = z
  .object({
    str1: z.string().check(z.describe('First part (may be empty)')),
    str2: z.string().check(z.describe('Second part (may be empty)')),
  })
  .check(
    z.superRefine(({ str1, str2 }, ctx) => {
      const length =
        str1.length + str2.length <= MAX_OUTPUT_VALUE_LENGTH
          ? str1.length + str2.length
          : characterLength(str1) + characterLength(str2);
      if (length > MAX_OUTPUT_VALUE_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: ['str2'],
          message: `str1 + str2 is ${length} characters, ${length - MAX_OUTPUT_VALUE_LENGTH} over the ${MAX_OUTPUT_VALUE_LENGTH}-character limit of the str3 output`,
        });
      }
    }),
  );

export type ConcatInput = z.output<typeof concatInput>;

export const concatOutputs = { str3: 'String' } as const;

/** Joins the two parts. */
export const concat = ({ str1, str2 }: ConcatInput): { str3: string } => ({ str3: str1 + str2 });
