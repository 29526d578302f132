import * as v from 'valibot';
import { floatArg, integerArg } from '../parsers';

/**
 * Failure tolerance, as Step Functions' Distributed Map has it (`ToleratedFailureCount`,
 * `ToleratedFailurePercentage`, "Setting failure thresholds for Distributed Map states",
 * Step Functions Developer Guide): the batch fails when more children failed than the count
 * allows, or a larger share of all children than the percentage allows; either one
 * exceeded is enough. Neither given tolerates no failure. A child stopped by someone else
 * counts as failed; children the batch stops itself do not.
 */
export const toleranceFields = {
  toleratedFailureCount: v.optional(
    v.pipe(
      integerArg,
      v.minValue(0),
      v.description('Children that may fail before the batch fails; default 0'),
    ),
  ),
  toleratedFailurePercentage: v.optional(
    v.pipe(
      floatArg,
      v.minValue(0),
      v.maxValue(100),
      v.description('Percentage of all children that may fail before the batch fails'),
    ),
  ),
};

/** The tolerance a batch keeps on its record. */
export interface Tolerance {
  toleratedFailureCount?: number | undefined;
  toleratedFailurePercentage?: number | undefined;
}

/** Failures the tolerance allows among `total` children: the lower of the two limits given. */
export const toleratedFailures = (tolerance: Tolerance, total: number): number => {
  const limits: number[] = [];
  if (tolerance.toleratedFailureCount !== undefined) limits.push(tolerance.toleratedFailureCount);
  if (tolerance.toleratedFailurePercentage !== undefined) {
    limits.push(Math.floor((tolerance.toleratedFailurePercentage * total) / 100 + 1e-9));
  }
  return limits.length === 0 ? 0 : Math.min(...limits);
};

/** Whether `failures` of `total` children exceed the tolerance. */
export const toleranceExceeded = (tolerance: Tolerance, failures: number, total: number): boolean =>
  failures > toleratedFailures(tolerance, total);
