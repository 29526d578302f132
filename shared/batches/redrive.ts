import { logger } from '../logger';
import type { BatchDeps } from './deps';
import { BatchNotFoundError, BatchStateError } from './errors';
import { executionToken } from './identity';
import type { BatchRecord } from './ledger';
import { refillBatch } from './refill';

/** What a redrive did. */
export interface Redriven {
  batch: BatchRecord;
  /** Children given a new attempt. */
  redriven: number;
}

/**
 * Runs a `FAILED` or `STOPPED` batch again: each failed or stopped child gets a new attempt
 * (so a new ClientRequestToken: SageMaker starts a new execution), succeeded children are
 * left alone, and pairs never started start as before. Each step changes nothing when
 * repeated, so a redrive cut short by a crash is finished by running it again:
 * 1. the execution record moves to the next attempt, `PENDING` (it remembers its old outcome);
 * 2. the pair goes back to pending on the batch, off its old outcome's count;
 * 3. the request parts are written again without their expiry;
 * 4. the batch is `RUNNING` and active again, and is refilled.
 * A `SUCCEEDED` batch has nothing to redrive and is returned as is.
 * @throws BatchNotFoundError, BatchStateError while the batch runs or stops.
 */
export const redriveBatch = async (deps: BatchDeps, batchId: string): Promise<Redriven> => {
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined) throw new BatchNotFoundError(batchId);
  if (batch.status === 'SUCCEEDED') return { batch, redriven: 0 };
  if (batch.status === 'RUNNING' || batch.status === 'STOPPING') {
    throw new BatchStateError(
      batchId,
      `is ${batch.status}; redrive it once it has ended (stop it first to end it now)`,
    );
  }
  let redriven = 0;
  let nextToken: string | undefined;
  do {
    const page = await deps.ledger.listExecutions(batchId, {
      limit: 100,
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    for (const record of page.records) {
      const key = String(record.pair);
      if (record.status === 'FAILED' || record.status === 'STOPPED') {
        const attempt = record.attempt + 1;
        const token = executionToken(
          batch.batchKey,
          batch.fingerprint,
          record.pipeline,
          record.itemIndex,
          attempt,
        );
        if (await deps.ledger.redriveExecution(batchId, record.pair, record.attempt, token)) {
          await deps.ledger.requeueRedriven(batchId, record.pair, attempt, record.status);
          redriven++;
        }
      } else if (
        record.status === 'PENDING' &&
        record.redrivenFrom !== undefined &&
        batch.requeued[key] === undefined &&
        batch.running[key] === undefined
      ) {
        // A redrive cut short between its two writes: finish it.
        await deps.ledger.requeueRedriven(
          batchId,
          record.pair,
          record.attempt,
          record.redrivenFrom === 'SUCCEEDED' ? 'FAILED' : record.redrivenFrom,
        );
        redriven++;
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  for (let part = 0; part < batch.requestParts; part++) {
    const body = await deps.ledger.getRequestPart(batchId, batch.fingerprint, part);
    if (body !== undefined)
      await deps.ledger.putRequestPart(batchId, batch.fingerprint, part, body);
  }
  await deps.ledger.reopenBatch(batchId, ['FAILED', 'STOPPED']);
  // A retried parent's token is answered by this run's end, whatever it is. Until now it marked
  // the redrive as pending, so no copy of its message answered it with the old outcome.
  if (batch.callback?.retry) {
    await deps.ledger.setBatchFields(batchId, { callback: { ...batch.callback, retry: false } });
  }
  logger.info('Batch redriven', { batchId, redriven });
  await refillBatch(deps, batchId);
  const after = await deps.ledger.getBatch(batchId);
  if (after === undefined) throw new BatchNotFoundError(batchId);
  return { batch: after, redriven };
};
