import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BatchDeps, RequestCache } from '../../../shared/batches/deps';
import type { BatchLedger, ExecutionRecord } from '../../../shared/batches/ledger';
import { FakeBatchSageMaker } from './fake-sagemaker';
import { newLedgerTable } from './table';

/** A clock the test moves. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 11, 1, 10, 0, 0)) {}
  now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const RECOVERY_GRACE_MS = 120_000;

/** A fresh ledger table and a batch context over it, the fake SageMaker and a test clock. */
export const newBatchWorld = async (
  client: DynamoDBClient,
  options: { accountLimit?: number } = {},
) => {
  const { tableName, ledger } = await newLedgerTable(client, 'batches');
  const sagemaker = new FakeBatchSageMaker();
  const clock = new TestClock();
  const depsWith = (overrides: Partial<BatchDeps> = {}): BatchDeps => ({
    ledger,
    sagemaker,
    allowList: { kind: 'names', names: new Set(['child-pipeline-1', 'child-pipeline-2']) },
    accountLimit: options.accountLimit ?? 15,
    retentionSeconds: 30 * 86_400,
    recoveryGraceMs: RECOVERY_GRACE_MS,
    now: clock.now,
    newId: randomUUID,
    requests: new RequestCache(),
    ...overrides,
  });
  return { tableName, ledger, sagemaker, clock, deps: depsWith(), depsWith };
};

/** A ledger whose chosen method crashes (throws) once, before or after doing its write. */
export const crashingLedger = (
  ledger: BatchLedger,
  method: keyof BatchLedger,
  when: 'before' | 'after',
  matches: (args: unknown[]) => boolean = () => true,
): BatchLedger => {
  let crashed = false;
  return new Proxy(ledger, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (crashed || !matches(args)) return value.apply(target, args);
        crashed = true;
        if (when === 'after') await value.apply(target, args);
        throw new Error(`simulated crash ${when} ${String(method)}`);
      };
    },
  });
};

/** A pair's ledger record as a claim first writes it (STARTING, attempt 1), with `overrides`. */
export const startingRecord = (
  batchId: string,
  pair: number,
  overrides: Partial<ExecutionRecord> = {},
): ExecutionRecord => ({
  batchId,
  pair,
  pipeline: 'child-pipeline-1',
  itemIndex: pair,
  attempt: 1,
  clientRequestToken: 't'.repeat(64),
  status: 'STARTING',
  executionArn: undefined,
  failureReason: undefined,
  claimedAt: 1,
  ambiguous: false,
  endedAt: undefined,
  ...overrides,
});
