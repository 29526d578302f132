import { errorMessage, errorName } from '../fan-out/classify';
import { logger } from '../logger';
import type { BatchDeps } from './deps';
import { BatchNotFoundError } from './errors';
import { sha256Hex } from './identity';
import type { BatchRecord } from './ledger';
import { refillBatch } from './refill';

/**
 * StopPipelineExecution's answers for a child that is not executing any more: it ended
 * (`ConflictException` in local mode; SageMaker answers a `ValidationException` "Only
 * pipelines with 'Executing' status can be stopped", quoted by apache/airflow #29077) or is
 * gone (`ResourceNotFound`). Its status-change event records how it ended.
 */
const ALREADY_ENDED = new Set(['ConflictException', 'ValidationException', 'ResourceNotFound']);

/**
 * Asks every running child of a stopping batch to stop. The token is a hash of the
 * execution ARN, so a repeated stop is one request. Children still starting are stopped by
 * the next pass (the reconciler stops the running children of stopping batches).
 * @returns how many children were asked to stop.
 */
export const stopChildren = async (deps: BatchDeps, batch: BatchRecord): Promise<number> => {
  const fanIn = deps.fanIn;
  if (fanIn === undefined) return 0;
  let asked = 0;
  for (const [pair, claim] of Object.entries(batch.running)) {
    const record = await deps.ledger.getExecution(batch.batchId, Number(pair));
    if (
      record?.attempt !== claim.attempt ||
      record.status !== 'RUNNING' ||
      record.executionArn === undefined
    ) {
      continue;
    }
    try {
      await fanIn.sagemaker.stopPipelineExecution({
        PipelineExecutionArn: record.executionArn,
        ClientRequestToken: sha256Hex(`batch/v1\nstop\n${record.executionArn}`),
      });
      asked++;
    } catch (error) {
      if (!ALREADY_ENDED.has(errorName(error))) throw error;
      logger.info('Child already ended', {
        batchId: batch.batchId,
        executionArn: record.executionArn,
        error: errorMessage(error),
      });
    }
  }
  return asked;
};

/**
 * Stops a batch: it starts nothing more (`STOPPING`), its running children are asked to
 * stop, and it ends `STOPPED` once none runs (at once when none does). Stopping an ended
 * batch changes nothing.
 * @throws BatchNotFoundError
 */
export const stopBatch = async (deps: BatchDeps, batchId: string): Promise<BatchRecord> => {
  const before = await deps.ledger.getBatch(batchId);
  if (before === undefined) throw new BatchNotFoundError(batchId);
  if (before.status === 'RUNNING') await deps.ledger.requestStop(batchId);
  const stopping = await deps.ledger.getBatch(batchId);
  if (stopping?.status === 'STOPPING') {
    const asked = await stopChildren(deps, stopping);
    logger.info('Batch stopping', { batchId, asked });
    await refillBatch(deps, batchId);
  }
  const after = await deps.ledger.getBatch(batchId);
  if (after === undefined) throw new BatchNotFoundError(batchId);
  return after;
};
