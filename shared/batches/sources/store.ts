import { canonicalJson } from '../../fan-out/identity';
import { logger } from '../../logger';
import type { BatchDeps } from '../deps';
import { expireRequestParts, MAX_PART_BYTES, type StoredRequestId } from '../request';
import { type OpenedSource, readSource } from './items';
import { RequestPartWriter } from './parts';
import type { PlannedSourceBatch } from './plan';

/** Largest item as canonical JSON: what fits in one stored part with its brackets and comma. */
const MAX_STORED_ITEM_BYTES = MAX_PART_BYTES - 3;

/**
 * Reads a source once and stores its items as the batch's request parts while reading: each
 * item is checked (templates, size), packed into a part, and the part written once full; part 0
 * (the spec, the count, the first index of each part and the source read) is written last.
 * Nothing is written per item, and memory holds a few parts, whatever the source's size.
 * When the read fails or finds problems, the parts already written are set to expire.
 * @returns the number of parts stored (part 0 included) and of items.
 */
export const storeSourceItems = async (
  deps: BatchDeps,
  batchId: string,
  fingerprint: string,
  planned: PlannedSourceBatch,
  opened: OpenedSource,
): Promise<{ requestParts: number; itemCount: number }> => {
  const writer = new RequestPartWriter((part, body) =>
    deps.ledger.putRequestPart(batchId, fingerprint, part, body),
  );
  let json = '';
  try {
    await readSource(
      opened,
      (item, index) => {
        const problems = planned.check(item, index);
        json = canonicalJson(item);
        const bytes = Buffer.byteLength(json);
        if (bytes > MAX_STORED_ITEM_BYTES) {
          problems.push({
            problem: `is ${bytes} bytes as JSON; a batch item may be at most ${MAX_STORED_ITEM_BYTES} bytes`,
          });
        }
        return problems;
      },
      () => writer.add(json),
    );
    const { starts, itemCount } = await writer.finish();
    const head = {
      spec: planned.spec,
      itemCount,
      starts,
      source: { uri: opened.uri, etag: opened.etag },
    };
    await deps.ledger.putRequestPart(batchId, fingerprint, 0, JSON.stringify(head));
    return { requestParts: starts.length + 1, itemCount };
  } catch (error) {
    await writer.settle();
    await expireOrphans(deps, { batchId, fingerprint }, writer.written);
    throw error;
  }
};

/**
 * Sets the parts of a failed read to expire, unless a batch with this fingerprint exists (a
 * concurrent submission of the same request that succeeded owns them).
 */
const expireOrphans = async (deps: BatchDeps, request: StoredRequestId, written: number) => {
  try {
    const batch = await deps.ledger.getBatch(request.batchId);
    if (batch?.fingerprint === request.fingerprint) return;
    await expireRequestParts(deps, request, written, 1);
  } catch (error) {
    logger.warn('Could not set the parts of a refused source to expire', {
      batchId: request.batchId,
      error,
    });
  }
};
