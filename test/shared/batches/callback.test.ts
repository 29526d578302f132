import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  type CallbackMessage,
  callbackBatchKey,
  handleCallbackMessage,
} from '../../../shared/batches/callback';
import { BatchEndingError } from '../../../shared/batches/errors';
import { batchIdOf } from '../../../shared/batches/identity';
import { countsOf } from '../../../shared/batches/ledger';
import { refillBatch } from '../../../shared/batches/refill';
import { batchOf, deliver, runningChildren } from '../../support/batches/drive';
import { useDynamoDb } from '../../support/batches/dynalite';
import { newFanInWorld } from '../../support/batches/fan-in';
import { crashingLedger } from '../../support/batches/harness';

const PARENT = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent-batch/execution/abc123';

const message = (
  args: Record<string, unknown>,
  token = 'Token00001',
  status: 'Executing' | 'Stopping' = 'Executing',
): CallbackMessage => ({
  token,
  pipelineExecutionArn: PARENT,
  arguments: { stepName: 'RunBatch', pipelines: '["child-pipeline-1"]', ...args },
  status,
});

const items = (count: number) => JSON.stringify(Array.from({ length: count }, (_, i) => `i${i}`));

describe('Callback messages', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  const world = () => newFanInWorld(client);
  const batchId = batchIdOf(callbackBatchKey(PARENT, 'RunBatch'));

  it('submits a batch keyed by parent and step, and answers with outputs equal to the outcomes', async () => {
    const w = await world();
    expect(
      await handleCallbackMessage(
        w.deps,
        message({ items: items(5), maxConcurrentExecutions: '2', toleratedFailureCount: '1' }),
      ),
    ).toBe('submitted');
    expect(runningChildren(w.sagemaker)).toHaveLength(2);
    let ended = 0;
    while (runningChildren(w.sagemaker).length > 0) {
      const child = runningChildren(w.sagemaker)[0];
      if (child === undefined) break;
      await deliver(w.deps, w.sagemaker.end(child, ended === 1 ? 'Failed' : 'Succeeded'));
      ended++;
    }
    expect(w.parent.answers).toEqual([
      {
        kind: 'success',
        token: 'Token00001',
        clientToken: expect.any(String),
        outputs: {
          batchId,
          total: '5',
          succeeded: '4',
          failed: '1',
          resultsUri: `s3://results-bucket/batch-results/${batchId}/results.jsonl`,
        },
      },
    ]);
    const lines = w.results.lines(`batch-results/${batchId}/results.jsonl`);
    expect(lines.map((line) => [line.index, line.item, line.status])).toEqual([
      [0, 'i0', 'SUCCEEDED'],
      [1, 'i1', 'FAILED'],
      [2, 'i2', 'SUCCEEDED'],
      [3, 'i3', 'SUCCEEDED'],
      [4, 'i4', 'SUCCEEDED'],
    ]);
    expect(lines[1]).toMatchObject({
      pipeline: 'child-pipeline-1',
      executionArn: expect.stringContaining(':pipeline/child-pipeline-1/execution/'),
      failureReason: expect.stringContaining('Step Train failed'),
      startTime: expect.any(String),
      endTime: expect.any(String),
    });
    const batch = await batchOf(w.deps, batchId);
    expect(batch.status).toBe('SUCCEEDED');
    expect(batch.resultsUri).toContain(batchId);
  });

  it('beyond tolerance starts nothing more, lets running children finish, and fails with a reason', async () => {
    const w = await world();
    await handleCallbackMessage(
      w.deps,
      message({ items: items(10), maxConcurrentExecutions: '3', toleratedFailureCount: '1' }),
    );
    const [first, second, third] = runningChildren(w.sagemaker);
    if (!first || !second || !third) throw new Error('expected three children');
    await deliver(w.deps, w.sagemaker.end(first, 'Failed'));
    expect(runningChildren(w.sagemaker)).toHaveLength(3);
    const fourth = runningChildren(w.sagemaker)[2];
    await deliver(w.deps, w.sagemaker.end(second, 'Failed'));
    expect(runningChildren(w.sagemaker)).toHaveLength(2);
    expect(w.parent.answers).toEqual([]);
    await deliver(w.deps, w.sagemaker.end(third, 'Succeeded'));
    if (!fourth) throw new Error('expected a fourth child');
    await deliver(w.deps, w.sagemaker.end(fourth, 'Failed'));
    expect(w.sagemaker.children).toHaveLength(4);
    const batch = await batchOf(w.deps, batchId);
    expect(batch.status).toBe('FAILED');
    expect(countsOf(batch)).toMatchObject({ total: 10, pending: 6, succeeded: 1, failed: 3 });
    const [answer] = w.parent.answers;
    expect(answer?.kind).toBe('failure');
    const reason = answer?.kind === 'failure' ? answer.reason : '';
    expect(reason).toMatch(
      /^3 of 10 child executions failed \(tolerated 1\): child-pipeline-1 #\d Step Train failed/,
    );
    expect(reason.length).toBeLessThanOrEqual(256);
    const lines = w.results.lines(`batch-results/${batchId}/results.jsonl`);
    expect(lines).toHaveLength(10);
    expect(lines.filter((line) => line.status === 'NOT_STARTED')).toHaveLength(6);
  });

  it('starts nothing twice when SQS delivers the message twice', async () => {
    const w = await world();
    const first = message({ items: items(3) });
    const outcomes = await Promise.all([
      handleCallbackMessage(w.deps, first),
      handleCallbackMessage(w.deps, first),
    ]);
    expect(outcomes.sort()).toEqual(['duplicate', 'submitted']);
    expect(await handleCallbackMessage(w.deps, first)).toBe('duplicate');
    expect(w.sagemaker.children).toHaveLength(3);
    for (const child of runningChildren(w.sagemaker)) {
      await deliver(w.deps, w.sagemaker.end(child));
    }
    await handleCallbackMessage(w.deps, first);
    expect(w.sagemaker.children).toHaveLength(3);
    expect(w.parent.answers).toHaveLength(1);
  });

  it('on Stopping, stops the running children and answers once they have stopped', async () => {
    const w = await world();
    await handleCallbackMessage(w.deps, message({ items: items(6), maxConcurrentExecutions: '2' }));
    expect(await handleCallbackMessage(w.deps, message({}, 'Token00001', 'Stopping'))).toBe(
      'stopping',
    );
    expect(w.parent.stopRequests).toHaveLength(2);
    expect((await batchOf(w.deps, batchId)).status).toBe('STOPPING');
    expect(w.parent.answers).toEqual([]);
    for (const child of runningChildren(w.sagemaker)) {
      await deliver(w.deps, w.sagemaker.end(child, 'Stopped'));
    }
    expect(w.sagemaker.children).toHaveLength(2);
    const batch = await batchOf(w.deps, batchId);
    expect(batch.status).toBe('STOPPED');
    expect(w.parent.answers).toMatchObject([{ kind: 'failure', token: 'Token00001' }]);
  });

  it('refuses the same step with a different request, naming what differs', async () => {
    const w = await world();
    await handleCallbackMessage(
      w.deps,
      message({ items: items(4), toleratedFailurePercentage: '100' }),
    );
    const firstRun = [...runningChildren(w.sagemaker)];
    for (const [i, child] of firstRun.entries()) {
      await deliver(w.deps, w.sagemaker.end(child, i % 2 === 0 ? 'Failed' : 'Succeeded'));
    }
    expect(w.parent.answers).toMatchObject([
      { kind: 'success', outputs: { succeeded: '2', failed: '2' } },
    ]);
    expect(await handleCallbackMessage(w.deps, message({ items: items(4) }, 'Token00002'))).toBe(
      'rejected',
    );
    expect(w.parent.answers.at(-1)).toMatchObject({
      kind: 'failure',
      token: 'Token00002',
      reason: expect.stringContaining('toleratedFailurePercentage differs'),
    });
  });

  it('redrives a failed batch when the same step comes back with a new token', async () => {
    const w = await world();
    await handleCallbackMessage(w.deps, message({ items: items(4), maxConcurrentExecutions: '4' }));
    const firstRun = [...runningChildren(w.sagemaker)];
    for (const [i, child] of firstRun.entries()) {
      await deliver(w.deps, w.sagemaker.end(child, i === 1 ? 'Failed' : 'Succeeded'));
    }
    expect(w.parent.answers).toMatchObject([{ kind: 'failure', token: 'Token00001' }]);
    expect(
      await handleCallbackMessage(
        w.deps,
        message({ items: items(4), maxConcurrentExecutions: '4' }, 'Token00002'),
      ),
    ).toBe('redriven');
    const rerun = runningChildren(w.sagemaker);
    expect(rerun).toHaveLength(1);
    expect(rerun[0]?.displayName).toBe(firstRun[1]?.displayName);
    expect(rerun[0]?.token).not.toBe(firstRun[1]?.token);
    if (rerun[0]) await deliver(w.deps, w.sagemaker.end(rerun[0]));
    expect(w.sagemaker.children).toHaveLength(5);
    expect(w.parent.answers.at(-1)).toMatchObject({
      kind: 'success',
      token: 'Token00002',
      outputs: { total: '4', succeeded: '4', failed: '0' },
    });
    const lines = w.results.lines(`batch-results/${batchId}/results.jsonl`);
    const failedIndex = Number(firstRun[1]?.displayName?.split('-').at(-1));
    expect(lines.map((line) => [line.index, line.status, line.attempt])).toEqual(
      [0, 1, 2, 3].map((index) => [index, 'SUCCEEDED', index === failedIndex ? 2 : 1]),
    );
  });

  it('records an answer SageMaker no longer takes and does not throw', async () => {
    const w = await world();
    w.parent.expired.add('Token00001');
    await handleCallbackMessage(w.deps, message({ items: items(1) }));
    const [child] = runningChildren(w.sagemaker);
    if (!child) throw new Error('expected a child');
    await deliver(w.deps, w.sagemaker.end(child));
    const batch = await batchOf(w.deps, batchId);
    expect(batch.status).toBe('SUCCEEDED');
    expect(batch.callbackAnswer).toMatchObject({
      token: 'Token00001',
      outcome: 'success',
      late: expect.stringContaining('ConflictException'),
    });
  });

  it('answers arguments that cannot become a batch with a failure naming the field', async () => {
    const w = await world();
    expect(await handleCallbackMessage(w.deps, message({ items: 'not json' }))).toBe('rejected');
    expect(
      await handleCallbackMessage(w.deps, {
        ...message({ items: items(1) }, 'Token00003'),
        arguments: { items: items(1), pipelines: '["child-pipeline-1"]' },
      }),
    ).toBe('rejected');
    expect(w.parent.answers).toMatchObject([
      { kind: 'failure', token: 'Token00001', reason: expect.stringContaining('items') },
      {
        kind: 'failure',
        token: 'Token00003',
        reason: expect.stringContaining('arguments.stepName'),
      },
    ]);
    expect(w.sagemaker.children).toHaveLength(0);
  });

  it('a Stopping message that overtakes its Executing message leaves nothing to start', async () => {
    const w = await world();
    expect(await handleCallbackMessage(w.deps, message({}, 'Token00001', 'Stopping'))).toBe(
      'stopping',
    );
    expect(await handleCallbackMessage(w.deps, message({ items: items(3) }))).toBe('duplicate');
    expect(w.sagemaker.children).toHaveLength(0);
    expect(w.parent.answers).toMatchObject([{ kind: 'failure', token: 'Token00001' }]);
    expect((await batchOf(w.deps, batchId)).status).toBe('STOPPED');
  });

  it('a retry that arrives while the batch writes its end waits for it, then redrives', async () => {
    const w = await world();
    const deps = { ...w.deps, ledger: crashingLedger(w.ledger, 'finishBatch', 'before') };
    await handleCallbackMessage(deps, message({ items: items(2) }));
    const [first, second] = runningChildren(w.sagemaker);
    if (!first || !second) throw new Error('expected two children');
    await deliver(deps, w.sagemaker.end(first, 'Failed'));
    // The end is answered, then the function dies before writing it.
    await expect(deliver(deps, w.sagemaker.end(second))).rejects.toThrow('simulated crash');
    expect(w.parent.answers).toMatchObject([{ kind: 'failure', token: 'Token00001' }]);
    const retry = message({ items: items(2) }, 'Token00002');
    await expect(handleCallbackMessage(deps, retry)).rejects.toBeInstanceOf(BatchEndingError);
    await refillBatch(deps, batchId);
    expect((await batchOf(deps, batchId)).status).toBe('FAILED');
    expect(w.parent.answers).toHaveLength(1);
    expect(await handleCallbackMessage(deps, retry)).toBe('redriven');
    const [again] = runningChildren(w.sagemaker);
    if (!again) throw new Error('expected the failed child to run again');
    expect(again.displayName).toBe(first.displayName);
    await deliver(deps, w.sagemaker.end(again));
    expect(w.parent.answers.at(-1)).toMatchObject({
      kind: 'success',
      token: 'Token00002',
      outputs: { succeeded: '2', failed: '0' },
    });
  });
});
