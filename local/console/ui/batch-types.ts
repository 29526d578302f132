/**
 * The console's batch answers (`GET /_local/batches`, `GET /_local/batches/<id>/executions`),
 * shared by the server (../batches.ts) and the page. Times are ISO 8601 strings, as the ledger
 * stores them.
 */
import type { BatchCounts } from '../../../shared/batches/ledger';

export interface BatchView {
  batchId: string;
  status: string;
  counts: BatchCounts;
  createdAt: string;
  finishedAt?: string;
  maxConcurrentExecutions: number;
  pipelineCount: number;
  itemCount: number;
}

/** `GET /_local/batches`: every batch of the local ledger, newest first. */
export interface BatchList {
  batches: BatchView[];
}

export interface BatchChildView {
  pipeline: string;
  index: number;
  status: string;
  attempt: number;
  executionArn?: string;
  failureReason?: string;
}

/** `GET /_local/batches/<id>/executions[?nextToken=]`: the batch and a page of its started children. */
export interface BatchChildrenPage {
  batch: BatchView;
  executions: BatchChildView[];
  nextToken?: string;
}

/** The error answer of every batch route: `{message}`; 503 when batches are not running locally. */
export interface BatchRouteError {
  message: string;
}
