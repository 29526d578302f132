/**
 * Reference point, not a target baseline: a LambdaStep with an empty input and one
 * output, so the table shows what the contract library (zod/mini, middy, Logger)
 * costs before any step's own schemas.
 */
import * as z from 'zod/mini';
import { defineLambdaStep } from '../../shared/lambda-step';

export const handler = defineLambdaStep({
  name: 'noop',
  description: 'Returns ok',
  input: z.object({}),
  outputs: { ok: 'Boolean' },
  run: () => ({ ok: true }),
});
