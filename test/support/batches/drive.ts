import { expect } from 'vitest';
import type { BatchDeps } from '../../../shared/batches/deps';
import { applyStatusChange, childStatusChangeOf } from '../../../shared/batches/events';
import type { BatchRecord } from '../../../shared/batches/ledger';
import type { BatchRequest } from '../../../shared/batches/request';
import { submitBatch } from '../../../shared/batches/submit';
import type { FakeBatchSageMaker, FakeChild, FakeStatus } from './fake-sagemaker';

/** Delivers one event as the batch-events function would. */
export const deliver = async (deps: BatchDeps, event: unknown) => {
  const change = childStatusChangeOf(event);
  if (change === undefined) throw new Error('not a status change event');
  return applyStatusChange(deps, change);
};

export const submit = (deps: BatchDeps, request: Partial<BatchRequest>, batchKey = 'key-1') =>
  submitBatch(deps, {
    request: { pipelines: ['child-pipeline-1'], items: ['a'], ...request },
    batchKey,
    createdBy: 'test',
  });

export const runningChildren = (sagemaker: FakeBatchSageMaker): FakeChild[] =>
  sagemaker.children.filter((child) => child.status === 'Executing');

/** A deterministic pseudo-random sequence, so a failing run can be replayed. */
export const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
};

/** Asserts one child per (pipeline, item) and no more. */
export const expectExactlyOnce = (sagemaker: FakeBatchSageMaker, expected: number) => {
  const counts = sagemaker.countsByPair();
  expect([...counts.values()].filter((count) => count > 1)).toEqual([]);
  expect(counts.size).toBe(expected);
};

/**
 * Ends running children one at a time (in a seeded order) and delivers each end's event,
 * optionally twice, until nothing runs. `deliverTo` picks the context that handles an event.
 */
export const runToCompletion = async (
  sagemaker: FakeBatchSageMaker,
  deliverTo: () => BatchDeps,
  options: { seed?: number; duplicate?: boolean; status?: (child: FakeChild) => FakeStatus } = {},
) => {
  const random = seeded(options.seed ?? 1);
  for (let step = 0; step < 10_000; step++) {
    const running = runningChildren(sagemaker);
    if (running.length === 0) return;
    const child = running[Math.floor(random() * running.length)] as FakeChild;
    const status = options.status?.(child) ?? 'Succeeded';
    const event = sagemaker.end(child, status === 'Executing' ? 'Succeeded' : status);
    await deliver(deliverTo(), event);
    if (options.duplicate) await deliver(deliverTo(), event);
  }
  throw new Error('children never finished');
};

export const batchOf = async (deps: BatchDeps, batchId: string): Promise<BatchRecord> => {
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined) throw new Error(`no batch ${batchId}`);
  return batch;
};
