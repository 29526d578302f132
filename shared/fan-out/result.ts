import { truncate } from '../describe-value';

/** What a fan-out reports: what was started, what is deferred and what failed. */

export interface StartedExecution {
  pipeline: string;
  index: number;
  executionArn: string;
  displayName: string;
}

export interface FailedExecution {
  pipeline: string;
  index: number;
  /** SageMaker's error name and message. */
  error: { name: string; message: string };
}

/** Why an item was not started in this invocation; re-sending the request starts it. */
export type DeferralReason = 'resource-limit' | 'time-budget' | 'retries-exhausted';

export interface DeferredExecution {
  pipeline: string;
  index: number;
  reason: DeferralReason;
}

/** One planned execution, as a dry run returns it. */
export interface PlanEntry {
  pipeline: string;
  index: number;
  displayName: string;
  clientRequestToken: string;
  parameters: Array<{ Name: string; Value: string }>;
}

export interface FanOutResult {
  batchId: string;
  batchKey: string;
  /** (pipeline, item) pairs in the request. */
  requested: number;
  /** Pairs running or done: started now, or already started by an earlier send. */
  started: number;
  /** Pairs not started yet; re-send the same request to start them. */
  deferred: number;
  failed: FailedExecution[];
  executions: StartedExecution[];
  deferredExecutions: DeferredExecution[];
  /** True when the request asked for a dry run: nothing was called. */
  dryRun: boolean;
  /**
   * When the batch was first started (ISO 8601), as its executions' descriptions record
   * it: the `createdAfter` of `GET /fan-outs/{batchId}`. Absent on a dry run.
   */
  createdAt?: string;
  /** The plan, only on a dry run: every entry, or the first ones within the dry-run budget. */
  plan?: PlanEntry[];
  /** Plan entries left out of `plan` to stay within the dry-run budget. */
  planOmitted?: number;
}

/** True when every (pipeline, item) is started. */
export const isComplete = (result: FanOutResult): boolean =>
  !result.dryRun && result.started === result.requested;

/** One line for logs and failure reasons: `batch 1a2b3c4d5e6f: 40 of 50 started, 8 deferred (resource-limit), 2 failed (first: ResourceNotFound ...)`. */
export function summarize(result: FanOutResult): string {
  const parts = [`batch ${result.batchId}: ${result.started} of ${result.requested} started`];
  if (result.deferred > 0) {
    const reasons = [...new Set(result.deferredExecutions.map((d) => d.reason))].join(', ');
    parts.push(`${result.deferred} deferred (${reasons}); re-send the same request to resume`);
  }
  if (result.failed.length > 0) {
    const first = result.failed[0];
    const detail = first
      ? ` (first: ${truncate(first.pipeline)} item ${first.index}: ${first.error.name}: ${truncate(first.error.message.replace(/\s+/g, ' '), 200)})`
      : '';
    parts.push(`${result.failed.length} failed${detail}`);
  }
  return parts.join(', ');
}
