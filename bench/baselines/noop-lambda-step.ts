/**
 * Reference point, not a target baseline: a LambdaStep with an empty input and one
 * output, so the table shows what the contract library (valibot, middy, Logger)
 * costs before any step's own schemas.
 */
import * as v from 'valibot';
import { defineLambdaStep } from '../../shared/lambda-step';

export const handler = defineLambdaStep({
  name: 'noop',
  description: 'Returns ok',
  input: v.object({}),
  outputs: { ok: 'Boolean' },
  run: () => ({ ok: true }),
});
