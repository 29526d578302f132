/**
 * The console's batch routes, read from the local ledger:
 * - `GET /_local/batches`: every batch (id, status, counts, creation time), newest first;
 * - `GET /_local/batches/<batchId>/executions[?nextToken=]`: the batch and a page of its started
 *   children (pipeline, item index, status, execution ARN, failure reason).
 * 503 when the runtime runs without its local services (no ledger), 404 for an unknown batch,
 * 400 for a malformed id or token. Errors are `{"message"}`.
 */
import type { ServerResponse } from 'node:http';
import { InvalidPageTokenError } from '../../shared/batches/errors';
import { BATCH_ID_PATTERN } from '../../shared/batches/identity';
import type { BatchReader } from './batch-reader';

export const BATCHES_PATH = '/_local/batches';
const CHILDREN_PATH = /^\/_local\/batches\/([^/]*)\/executions$/;

export const BATCHES_OFF_MESSAGE =
  'Batches are not running locally: this runtime runs without its local services (DynamoDB and event delivery from serverless.yml), so there is no batch ledger to read. npm start runs them unless given --no-local-services.';

function json(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

/** Whether `path` is one of the batch routes. */
export const isBatchPath = (path: string): boolean =>
  path === BATCHES_PATH || CHILDREN_PATH.test(path);

/** Answers a batch route (see {@link isBatchPath}) from `reader`, or 503 without one. */
export async function serveBatches(
  reader: BatchReader | undefined,
  url: string,
  path: string,
  response: ServerResponse,
): Promise<void> {
  if (!reader) return json(response, 503, { message: BATCHES_OFF_MESSAGE });
  if (path === BATCHES_PATH) return json(response, 200, { batches: await reader.listBatches() });
  const batchId = CHILDREN_PATH.exec(path)?.[1] ?? '';
  if (!BATCH_ID_PATTERN.test(batchId)) {
    return json(response, 400, {
      message: `batchId: expected 12 lowercase hex digits, received ${JSON.stringify(batchId.slice(0, 60))}`,
    });
  }
  const nextToken = new URLSearchParams(url.split('?')[1] ?? '').get('nextToken') ?? '';
  try {
    const page = await reader.children(batchId, nextToken === '' ? undefined : nextToken);
    if (!page) return json(response, 404, { message: `No batch ${batchId}.` });
    return json(response, 200, page);
  } catch (error) {
    if (!(error instanceof InvalidPageTokenError)) throw error;
    return json(response, 400, {
      message: 'nextToken: is not a token a previous page of this listing returned',
    });
  }
}
