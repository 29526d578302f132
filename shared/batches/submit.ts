import { assertPipelinesAllowed } from '../fan-out/allow-list';
import { errorName } from '../fan-out/classify';
import { canonicalJson } from '../fan-out/identity';
import { logger } from '../logger';
import { type BatchDeps, storedItems } from './deps';
import { BatchConflictError, BatchNotFoundError } from './errors';
import { batchIdOf } from './identity';
import type { BatchRecord } from './ledger';
import { refillBatch } from './refill';
import {
  type BatchRequest,
  describeDifferences,
  type PlannedBatch,
  planBatch,
  requestParts,
} from './request';

/** A submission's answer: the batch, and whether this call created it. */
export interface Submitted {
  created: boolean;
  batch: BatchRecord;
}

/** Names what differs between a stored batch and a re-sent request, down to the first item. */
const differences = async (
  deps: BatchDeps,
  stored: BatchRecord,
  planned: PlannedBatch,
): Promise<string[]> => {
  const found = describeDifferences(stored.fingerprintParts, planned.fingerprintParts);
  const itemsAt = found.indexOf('items differs');
  if (itemsAt >= 0) {
    let detail = `items differs (${stored.itemCount} stored, ${planned.items.length} sent)`;
    if (stored.itemCount === planned.items.length) {
      try {
        const items = await storedItems(deps, stored);
        const first = items.findIndex(
          (item, index) => canonicalJson(item) !== canonicalJson(planned.items[index]),
        );
        if (first >= 0) detail = `items differs, first at items[${first}]`;
      } catch (error) {
        logger.warn('Could not read the stored items', { error: errorName(error) });
      }
    }
    found[itemsAt] = detail;
  }
  return found.length > 0 ? found : ['the batch key is taken by another batch'];
};

const existing = async (
  deps: BatchDeps,
  stored: BatchRecord,
  batchKey: string,
  planned: PlannedBatch,
): Promise<Submitted> => {
  if (stored.batchKey === batchKey && stored.fingerprint === planned.fingerprint) {
    return { created: false, batch: stored };
  }
  throw new BatchConflictError(stored.batchId, await differences(deps, stored, planned));
};

/**
 * Submits a batch: validates it as the fan-out validates, stores the request, writes the
 * batch record (once: a conditional put) and starts what fits. Submitting the same request
 * with the same key again returns the batch as it stands; a different request with the same
 * key is refused, naming what differs, and starts nothing.
 * @throws InputValidationError, PipelineNotAllowedError, BatchConflictError.
 */
export const submitBatch = async (
  deps: BatchDeps,
  input: { request: BatchRequest; batchKey: string; createdBy: string },
): Promise<Submitted> => {
  const planned = planBatch(input.request, input.batchKey);
  assertPipelinesAllowed(deps.allowList, planned.spec.pipelines);
  const batchId = batchIdOf(input.batchKey);
  const before = await deps.ledger.getBatch(batchId);
  if (before !== undefined) return existing(deps, before, input.batchKey, planned);

  const parts = requestParts(planned);
  for (const [part, body] of parts.entries()) {
    await deps.ledger.putRequestPart(batchId, planned.fingerprint, part, body);
  }
  const pipelineCount = planned.spec.pipelines.length;
  const created = await deps.ledger.createBatch({
    batchId,
    batchKey: input.batchKey,
    fingerprint: planned.fingerprint,
    fingerprintParts: planned.fingerprintParts,
    requestParts: parts.length,
    createdAt: new Date(deps.now()).toISOString(),
    createdBy: input.createdBy,
    status: 'RUNNING',
    pipelineCount,
    itemCount: planned.items.length,
    pairs: pipelineCount * planned.items.length,
    maxConcurrentExecutions: planned.maxConcurrentExecutions,
  });
  if (!created) {
    const raced = await deps.ledger.getBatch(batchId);
    if (raced !== undefined) {
      if (raced.fingerprint !== planned.fingerprint) {
        // Another request took the key first: the parts written for this one are orphans.
        const expiresAt = Math.floor(deps.now() / 1000) + deps.retentionSeconds;
        for (let part = 0; part < parts.length; part++) {
          await deps.ledger.expireRequestPart(batchId, planned.fingerprint, part, expiresAt);
        }
      }
      return existing(deps, raced, input.batchKey, planned);
    }
  }
  logger.info('Batch submitted', { batchId, pairs: pipelineCount * planned.items.length });
  try {
    await refillBatch(deps, batchId);
  } catch (error) {
    // The batch is recorded: the reconciler starts what this call could not.
    logger.error('First refill failed; the reconciler continues the batch', { batchId, error });
  }
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined) throw new BatchNotFoundError(batchId);
  return { created: true, batch };
};
