import { type FanOutPlan, forEachPair } from './request';
import type { FanOutResult, PlanEntry } from './result';

/**
 * Bytes of plan a dry run returns at most. Each entry carries every rendered parameter
 * (up to 200 of 1,024 characters), so the full plan of 10,000 items can run to gigabytes;
 * this keeps it well inside a Lambda response (6 MB) and a 256 MB function's memory.
 */
export const MAX_DRY_RUN_PLAN_BYTES = 4_000_000;

export function dryRunResult(plan: FanOutPlan): FanOutResult {
  const entries: PlanEntry[] = [];
  let bytes = 0;
  let omitted = 0;
  forEachPair(plan, (pipelineIndex, index) => {
    // Past the budget, entries are counted, not rendered.
    if (omitted > 0) {
      omitted++;
      return;
    }
    const { pipeline, displayName, clientRequestToken, parameters } = plan.execution(
      pipelineIndex,
      index,
    );
    const entry = { pipeline, index, displayName, clientRequestToken, parameters };
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (bytes + size > MAX_DRY_RUN_PLAN_BYTES) {
      omitted++;
      return;
    }
    bytes += size;
    entries.push(entry);
  });
  return {
    batchId: plan.batchId,
    batchKey: plan.batchKey,
    requested: plan.requested,
    started: 0,
    deferred: 0,
    failed: [],
    executions: [],
    deferredExecutions: [],
    dryRun: true,
    plan: entries,
    ...(omitted > 0 ? { planOmitted: omitted } : {}),
  };
}
