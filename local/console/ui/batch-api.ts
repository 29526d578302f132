/// <reference lib="dom" />
/** The local ledger's batches, as the console's server reads them (`GET /_local/batches...`). */
import { ConsoleApiError } from './api';
import type { BatchChildrenPage, BatchChildView, BatchList, BatchView } from './batch-types';

export type { BatchChildView, BatchView };

/** Children the batch page reads at most (10 pages of 100). */
export const MAX_CHILDREN_SHOWN = 1000;

/** The runtime runs without its local services: nothing to read batches from. */
export const BATCHES_OFF = 'BatchesNotRunningLocally';

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new ConsoleApiError('NetworkError', 'the local runtime did not answer', 0, { cause });
  }
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) {
    throw new ConsoleApiError(
      response.status === 503 ? BATCHES_OFF : 'UnknownError',
      body.message ?? `HTTP ${response.status}`,
      response.status,
    );
  }
  return body as T;
}

export const listBatches = () =>
  getJson<BatchList>('/_local/batches').then((answer) => answer.batches);

/** The batch and its started children, up to {@link MAX_CHILDREN_SHOWN}. */
export async function describeBatch(
  batchId: string,
): Promise<{ batch: BatchView; children: BatchChildView[]; more: boolean }> {
  const path = `/_local/batches/${encodeURIComponent(batchId)}/executions`;
  let page = await getJson<BatchChildrenPage>(path);
  const children = [...page.executions];
  while (page.nextToken && children.length < MAX_CHILDREN_SHOWN) {
    page = await getJson<BatchChildrenPage>(
      `${path}?nextToken=${encodeURIComponent(page.nextToken)}`,
    );
    children.push(...page.executions);
  }
  return { batch: page.batch, children, more: page.nextToken !== undefined };
}
