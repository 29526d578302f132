import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BatchLedger, NewBatch } from '../../../shared/batches/ledger';
import { DYNAMODB_SERVERS, useDynamoDb } from '../../support/batches/dynalite';
import { startingRecord as record } from '../../support/batches/harness';
import { newLedgerTable } from '../../support/batches/table';

let ids = 0;
const nextBatchId = () => (0xfeed00000000 + ids++).toString(16);

const newBatch = (batchId: string): NewBatch => ({
  batchId,
  batchKey: `key-${batchId}`,
  fingerprint: 'f'.repeat(64),
  fingerprintParts: {},
  requestParts: 1,
  createdAt: '2026-12-01T10:00:00.000Z',
  createdBy: 'test',
  status: 'RUNNING',
  pipelineCount: 1,
  itemCount: 4,
  pairs: 4,
  maxConcurrentExecutions: 4,
  toleratedFailureCount: 1,
  callback: {
    token: 'Tok0000001',
    parentExecutionArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/e',
    stepName: 'RunBatch',
    receivedAt: '2026-12-01T10:00:00.000Z',
  },
});

/** The fan-in writes against two independent implementations of the DynamoDB API. */
describe.each(DYNAMODB_SERVERS)('DynamoDB ledger fan-in writes against %s', (_, start) => {
  let ledger: BatchLedger;
  useDynamoDb(async (client) => {
    ({ ledger } = await newLedgerTable(client, 'fan-in'));
  }, start);

  /** A batch whose four pairs ran: pair 0 failed, 1 stopped, 2 and 3 succeeded; it ended FAILED. */
  const endedBatch = async () => {
    const batchId = nextBatchId();
    await ledger.createBatch(newBatch(batchId));
    expect(
      await ledger.claim({
        batchId,
        claimId: randomUUID(),
        cursor: 0,
        runningBefore: 0,
        maxConcurrentExecutions: 4,
        fromRequeued: [],
        fromCursor: 4,
        now: 1,
      }),
    ).toMatchObject({ cursor: 4 });
    const outcomes = ['FAILED', 'STOPPED', 'SUCCEEDED', 'SUCCEEDED'] as const;
    for (const [pair, outcome] of outcomes.entries()) {
      await ledger.createExecution(record(batchId, pair));
      await ledger.updateExecution(batchId, pair, 1, ['STARTING'], {
        status: outcome,
        startedAt: '2026-12-01T10:00:01.000Z',
        endedAt: '2026-12-01T10:00:02.000Z',
        expiresAt: 99,
      });
      await ledger.settle(batchId, pair, 1, outcome);
    }
    expect(await ledger.finishBatch(batchId, 'RUNNING', 'FAILED', 4, 'now', 99)).toBe(true);
    return batchId;
  };

  it('keeps the tolerance and the callback, and writes the answer only for the current token', async () => {
    const batchId = nextBatchId();
    await ledger.createBatch(newBatch(batchId));
    const answer = { token: 'Tok0000001', outcome: 'failure' as const, at: 'now', late: 'x' };
    expect(await ledger.setBatchFields(batchId, { callbackAnswer: answer }, 'Tok0000002')).toBe(
      false,
    );
    expect(await ledger.setBatchFields(batchId, { callbackAnswer: answer }, 'Tok0000001')).toBe(
      true,
    );
    expect(await ledger.setBatchFields(nextBatchId(), { resultsUri: 's3://b/k' })).toBe(false);
    expect(await ledger.getBatch(batchId)).toMatchObject({
      toleratedFailureCount: 1,
      callback: { token: 'Tok0000001', stepName: 'RunBatch' },
      callbackAnswer: answer,
    });
  });

  it('stops a running batch once, and finishes a stopping one with pairs still pending', async () => {
    const batchId = nextBatchId();
    await ledger.createBatch(newBatch(batchId));
    expect(await ledger.requestStop(batchId)).toBe(true);
    expect(await ledger.requestStop(batchId)).toBe(false);
    expect(await ledger.finishBatch(batchId, 'STOPPING', 'STOPPED', 4, 'now', 99)).toBe(true);
    expect((await ledger.getBatch(batchId))?.status).toBe('STOPPED');
  });

  it('finishes a running batch with pending pairs only when allowed (beyond tolerance)', async () => {
    const batchId = nextBatchId();
    await ledger.createBatch(newBatch(batchId));
    expect(await ledger.finishBatch(batchId, 'RUNNING', 'FAILED', 4, 'now', 99)).toBe(false);
    expect(await ledger.finishBatch(batchId, 'RUNNING', 'FAILED', 4, 'now', 99, true)).toBe(true);
  });

  it('redrives failed and stopped pairs once each, and reopens the ended batch', async () => {
    const batchId = await endedBatch();
    expect(await ledger.redriveExecution(batchId, 0, 1, 'n'.repeat(64))).toBe(true);
    expect(await ledger.redriveExecution(batchId, 0, 1, 'n'.repeat(64))).toBe(false);
    expect(await ledger.redriveExecution(batchId, 2, 1, 'n'.repeat(64))).toBe(false);
    const redriven = await ledger.getExecution(batchId, 0);
    expect(redriven).toMatchObject({
      attempt: 2,
      status: 'PENDING',
      clientRequestToken: 'n'.repeat(64),
      redrivenFrom: 'FAILED',
    });
    expect([redriven?.executionArn, redriven?.startedAt, redriven?.endedAt]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await ledger.requeueRedriven(batchId, 0, 2, 'FAILED')).toBe(true);
    expect(await ledger.requeueRedriven(batchId, 0, 2, 'FAILED')).toBe(false);
    expect(await ledger.redriveExecution(batchId, 1, 1, 'm'.repeat(64))).toBe(true);
    expect(await ledger.requeueRedriven(batchId, 1, 2, 'STOPPED')).toBe(true);
    expect(await ledger.reopenBatch(batchId, ['FAILED', 'STOPPED'])).toBe(true);
    expect(await ledger.reopenBatch(batchId, ['FAILED', 'STOPPED'])).toBe(false);
    const batch = await ledger.getBatch(batchId);
    expect(batch).toMatchObject({
      status: 'RUNNING',
      requeued: { '0': 2, '1': 2 },
      succeeded: 2,
      failed: 0,
      stopped: 0,
    });
    expect(batch?.finishedAt).toBeUndefined();
    expect((await ledger.listActiveBatches()).records).toContain(batchId);
  });
});
