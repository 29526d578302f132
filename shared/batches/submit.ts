import { assertPipelinesAllowed } from '../fan-out/allow-list';
import { errorName } from '../fan-out/classify';
import { canonicalJson } from '../fan-out/identity';
import { logger } from '../logger';
import { type BatchDeps, storedItems } from './deps';
import { BatchConflictError, BatchNotFoundError, SourcesUnavailableError } from './errors';
import { batchIdOf } from './identity';
import { type BatchCallback, type BatchRecord, NEW_BATCH_PROGRESS, type NewBatch } from './ledger';
import { refillBatchFrom } from './refill';
import {
  type BatchRequest,
  type BatchSpec,
  describeDifferences,
  expireRequestParts,
  type FingerprintParts,
  planBatch,
  requestParts,
} from './request';
import { openSource } from './sources/items';
import { fingerprintSourceBatch, planSourceBatch } from './sources/plan';
import type { ItemsFrom } from './sources/schema';
import { storeSourceItems } from './sources/store';

/**
 * How long a submission goes on claiming its first children. A large batch's first wave can
 * be up to `maxConcurrentExecutions` starts; the rest of it is started by the next refill (a
 * child's end, or the reconciler), so a submission stays well within its function's time.
 */
export const FIRST_REFILL_MS = 3_000;

/** A submission's answer: the batch, and whether this call created it. */
export interface Submitted {
  created: boolean;
  batch: BatchRecord;
}

/** What a submission is compared by: its fingerprint, and its items when given inline. */
interface Fingerprinted {
  fingerprint: string;
  fingerprintParts: FingerprintParts;
  items?: readonly unknown[];
}

/** Names what differs between a stored batch and a re-sent request, down to the first item. */
const differences = async (
  deps: BatchDeps,
  stored: BatchRecord,
  planned: Fingerprinted,
): Promise<string[]> => {
  const found = describeDifferences(stored.fingerprintParts, planned.fingerprintParts);
  const itemsAt = found.indexOf('items differs');
  const sent = planned.items;
  if (itemsAt >= 0 && sent !== undefined && stored.fingerprintParts.itemsFrom === undefined) {
    let detail = `items differs (${stored.itemCount} stored, ${sent.length} sent)`;
    if (stored.itemCount === sent.length) {
      try {
        const items = await storedItems(deps, stored);
        const first = items.findIndex(
          (item, index) => canonicalJson(item) !== canonicalJson(sent[index]),
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

/** The stored batch when it is this request's (same key, same content), else a conflict. */
const existing = async (
  deps: BatchDeps,
  stored: BatchRecord,
  request: Keyed,
): Promise<Submitted> => {
  if (stored.batchKey === request.batchKey && stored.fingerprint === request.fingerprint) {
    return { created: false, batch: stored };
  }
  throw new BatchConflictError(stored.batchId, await differences(deps, stored, request));
};

/** A request as submitted: its batch key and what its content hashes to. */
type Keyed = Fingerprinted & { batchKey: string };

/** What a submission stores before its batch record: the spec, limits and stored parts. */
interface Stored extends Fingerprinted {
  spec: BatchSpec;
  maxConcurrentExecutions: number;
  toleratedFailureCount: number | undefined;
  toleratedFailurePercentage: number | undefined;
  requestParts: number;
  itemCount: number;
}

/** Writes the batch record (once: a conditional put) and starts what fits. */
const recordBatch = async (
  deps: BatchDeps,
  input: { batchKey: string; createdBy: string; callback?: BatchCallback },
  batchId: string,
  stored: Stored,
): Promise<Submitted> => {
  const pipelineCount = stored.spec.pipelines.length;
  const pairs = pipelineCount * stored.itemCount;
  const record: NewBatch = {
    batchId,
    batchKey: input.batchKey,
    fingerprint: stored.fingerprint,
    fingerprintParts: stored.fingerprintParts,
    requestParts: stored.requestParts,
    createdAt: new Date(deps.now()).toISOString(),
    createdBy: input.createdBy,
    status: 'RUNNING',
    pipelineCount,
    itemCount: stored.itemCount,
    pairs,
    maxConcurrentExecutions: stored.maxConcurrentExecutions,
    toleratedFailureCount: stored.toleratedFailureCount,
    toleratedFailurePercentage: stored.toleratedFailurePercentage,
    ...(input.callback === undefined ? {} : { callback: input.callback }),
  };
  const created = await deps.ledger.createBatch(record);
  if (!created) {
    const raced = await deps.ledger.getBatch(batchId);
    if (raced !== undefined) {
      if (raced.fingerprint !== stored.fingerprint) {
        // Another request took the key first: the parts written for this one are orphans.
        await expireRequestParts(
          deps,
          { batchId, fingerprint: stored.fingerprint },
          stored.requestParts,
        );
      }
      return existing(deps, raced, { ...stored, batchKey: input.batchKey });
    }
  }
  logger.info('Batch submitted', { batchId, pairs });
  let refilled: BatchRecord | undefined;
  try {
    // Started from the record just written, as createBatch wrote it: no read.
    const known: BatchRecord | undefined = created
      ? { ...record, ...NEW_BATCH_PROGRESS, lastClaimId: undefined, finishedAt: undefined }
      : undefined;
    refilled = (
      await refillBatchFrom(deps, batchId, { until: deps.now() + FIRST_REFILL_MS, known })
    ).batch;
  } catch (error) {
    // The batch is recorded: the reconciler starts what this call could not.
    logger.error('First refill failed; the reconciler continues the batch', { batchId, error });
  }
  const batch = refilled ?? (await deps.ledger.getBatch(batchId));
  if (batch === undefined) throw new BatchNotFoundError(batchId);
  return { created: true, batch };
};

/**
 * A batch over a source: planned without reading, fingerprinted with the object's entity tag
 * (one `HeadObject`), then read once while its items are stored in parts.
 */
const submitFromSource = async (
  deps: BatchDeps,
  input: { request: BatchRequest; batchKey: string; createdBy: string; callback?: BatchCallback },
  itemsFrom: ItemsFrom,
): Promise<Submitted> => {
  const batchId = batchIdOf(input.batchKey);
  const planned = planSourceBatch(input.request, itemsFrom, input.batchKey, batchId);
  assertPipelinesAllowed(deps.allowList, planned.spec.pipelines);
  if (deps.objects === undefined) throw new SourcesUnavailableError();
  const opened = await openSource(deps.objects, itemsFrom);
  const fingerprinted = fingerprintSourceBatch(planned, opened.etag);
  const before = await deps.ledger.getBatch(batchId);
  if (before !== undefined) {
    await opened.entries.return(undefined);
    return existing(deps, before, { ...fingerprinted, batchKey: input.batchKey });
  }
  const stored = await storeSourceItems(deps, batchId, fingerprinted.fingerprint, planned, opened);
  return recordBatch(deps, input, batchId, {
    ...fingerprinted,
    ...stored,
    spec: planned.spec,
    maxConcurrentExecutions: planned.maxConcurrentExecutions,
    toleratedFailureCount: planned.toleratedFailureCount,
    toleratedFailurePercentage: planned.toleratedFailurePercentage,
  });
};

/**
 * Submits a batch: validates it as the fan-out validates, stores the request (items inline,
 * or read from `itemsFrom`), writes the batch record (once: a conditional put) and starts what
 * fits. Submitting the same request with the same key again returns the batch as it stands; a
 * different request with the same key is refused, naming what differs, and starts nothing.
 * @throws InputValidationError, PipelineNotAllowedError, BatchConflictError, and for a source
 *   SourceNotFoundError, SourceAccessError, SourceChangedError, SourceReadError.
 */
export const submitBatch = async (
  deps: BatchDeps,
  input: {
    request: BatchRequest;
    batchKey: string;
    createdBy: string;
    /** The Callback step that submitted the batch and waits for it. */
    callback?: BatchCallback;
  },
): Promise<Submitted> => {
  if (input.request.itemsFrom !== undefined) {
    return submitFromSource(deps, input, input.request.itemsFrom);
  }
  const planned = planBatch(input.request, input.batchKey);
  assertPipelinesAllowed(deps.allowList, planned.spec.pipelines);
  const batchId = batchIdOf(input.batchKey);
  const before = await deps.ledger.getBatch(batchId);
  if (before !== undefined) return existing(deps, before, { ...planned, batchKey: input.batchKey });

  const parts = requestParts(planned);
  for (const [part, body] of parts.entries()) {
    await deps.ledger.putRequestPart(batchId, planned.fingerprint, part, body);
  }
  return recordBatch(deps, input, batchId, {
    ...planned,
    requestParts: parts.length,
    itemCount: planned.items.length,
  });
};
