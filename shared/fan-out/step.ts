import { NothingStartedError } from './errors';
import { type FanOutResult, isComplete, summarize } from './result';

/** The outputs of the `fan-out` LambdaStep, as the pipeline definition declares them. */
export const fanOutStepOutputs = {
  batchId: 'String',
  startedCount: 'Integer',
  deferredCount: 'Integer',
  failedCount: 'Integer',
  complete: 'Boolean',
} as const;

/**
 * Maps a result to the step's outputs. The step fails only when nothing could be
 * started (the summary becomes SageMaker's failure reason); a partial fan-out succeeds
 * and reports its counts, so a ConditionStep can branch on `complete`.
 * @throws NothingStartedError when not a dry run and no execution is running.
 */
export function toStepOutputs(result: FanOutResult) {
  if (!result.dryRun && result.started === 0) throw new NothingStartedError(summarize(result));
  return {
    batchId: result.batchId,
    startedCount: result.started,
    deferredCount: result.deferred,
    failedCount: result.failed.length,
    complete: isComplete(result),
  };
}
