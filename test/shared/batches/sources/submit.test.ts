import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BatchConflictError } from '../../../../shared/batches/errors';
import type { BatchLedger } from '../../../../shared/batches/ledger';
import { refillBatch } from '../../../../shared/batches/refill';
import { batchRequestSchema, type StoredHead } from '../../../../shared/batches/request';
import { SourceChangedError } from '../../../../shared/batches/sources/errors';
import { submitBatch } from '../../../../shared/batches/submit';
import { InputValidationError } from '../../../../shared/errors';
import { parseEvent } from '../../../../shared/validation';
import { expectExactlyOnce, runToCompletion } from '../../../support/batches/drive';
import { useDynamoDb } from '../../../support/batches/dynalite';
import { newBatchWorld } from '../../../support/batches/harness';
import { MemorySource } from './support/memory-source';

const uri = 's3://items-bucket/regions.csv';
const csv = (rows: number, pad = 0) =>
  `region,pad\n${Array.from({ length: rows }, (_, i) => `region-${i},${'p'.repeat(pad)}`).join('\n')}\n`;

/** Counts every ledger call by method. */
const counting = (ledger: BatchLedger) => {
  const calls = new Map<string, number>();
  const proxy = new Proxy(ledger, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { ledger: proxy, calls };
};

describe('submitting a batch over itemsFrom', () => {
  let client: DynamoDBClient;
  useDynamoDb((started) => {
    client = started;
  });

  const world = async (text: string, accountLimit = 40) => {
    const objects = new MemorySource(4096);
    objects.put('items-bucket', 'regions.csv', text);
    const base = await newBatchWorld(client, { accountLimit });
    const counted = counting(base.ledger);
    return { ...base, objects, counted, deps: base.depsWith({ objects, ledger: counted.ledger }) };
  };

  const request = (overrides: Record<string, unknown> = {}) =>
    parseEvent(batchRequestSchema, {
      pipelines: ['child-pipeline-1'],
      itemsFrom: { uri },
      parameters: { Region: '{{item.region}}' },
      maxConcurrentExecutions: 40,
      ...overrides,
    });

  it('stores the items in parts while reading, writes nothing per item, and runs one child per item', async () => {
    const w = await world(csv(100, 6_000));
    const { created, batch } = await submitBatch(w.deps, {
      request: request(),
      batchKey: 'nightly',
      createdBy: 'test',
    });
    expect(created).toBe(true);
    expect(batch.itemCount).toBe(100);
    const head = JSON.parse(
      (await w.ledger.getRequestPart(batch.batchId, batch.fingerprint, 0)) ?? '',
    ) as StoredHead;
    expect(head).toMatchObject({
      itemCount: 100,
      source: { uri, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
    });
    // 100 items of about 6 KB: three parts of at most 300 KB, and part 0.
    expect(head.starts).toEqual([0, 49, 98]);
    expect(batch.requestParts).toBe(4);
    expect(w.counted.calls.get('putRequestPart')).toBe(4);
    // Only the first 40 started: their records, and nothing for the 60 still pending.
    expect(w.sagemaker.children).toHaveLength(40);
    expect(w.counted.calls.get('putExecution') ?? 0).toBeLessThanOrEqual(40);
    await runToCompletion(w.sagemaker, () => w.deps);
    expectExactlyOnce(w.sagemaker, 100);
    expect(w.sagemaker.children.map((child) => child.parameters[0]?.Value).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `region-${i}`).sort(),
    );
    expect((await w.ledger.getBatch(batch.batchId))?.status).toBe('SUCCEEDED');
  });

  it('starts one child per group with itemsPerExecution, {{items}} the group as JSON', async () => {
    const w = await world(csv(7));
    const { batch } = await submitBatch(w.deps, {
      request: request({
        itemsFrom: { uri, itemsPerExecution: 3 },
        parameters: { Regions: '{{items}}', Index: '{{index}}' },
      }),
      batchKey: 'grouped',
      createdBy: 'test',
    });
    expect(batch.itemCount).toBe(3);
    const byIndex = w.sagemaker.children
      .map((child) => child.parameters)
      .sort((a, b) => Number(a[1]?.Value) - Number(b[1]?.Value));
    expect(byIndex).toEqual([
      [
        {
          Name: 'Regions',
          Value: JSON.stringify([0, 1, 2].map((i) => ({ pad: '', region: `region-${i}` }))),
        },
        { Name: 'Index', Value: '0' },
      ],
      [
        {
          Name: 'Regions',
          Value: JSON.stringify([3, 4, 5].map((i) => ({ pad: '', region: `region-${i}` }))),
        },
        { Name: 'Index', Value: '1' },
      ],
      [
        { Name: 'Regions', Value: JSON.stringify([{ pad: '', region: 'region-6' }]) },
        { Name: 'Index', Value: '2' },
      ],
    ]);
  });

  it('answers a repeat with the same batch, and refuses the key once the object changed', async () => {
    const w = await world(csv(5));
    const first = await submitBatch(w.deps, {
      request: request(),
      batchKey: 'k',
      createdBy: 'test',
    });
    const again = await submitBatch(w.deps, {
      request: request(),
      batchKey: 'k',
      createdBy: 'test',
    });
    expect(again).toMatchObject({ created: false, batch: { batchId: first.batch.batchId } });
    w.objects.put('items-bucket', 'regions.csv', csv(6));
    const error = await submitBatch(w.deps, {
      request: request(),
      batchKey: 'k',
      createdBy: 'test',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchConflictError);
    expect((error as Error).message).toMatch(/itemsFrom differs/);
    expect(w.sagemaker.children).toHaveLength(5);
  });

  it('refuses bad rows, naming row and field, and records no batch', async () => {
    const w = await world('region,pad\nregion-0,x\nregion-1\n,x\n');
    const error = await submitBatch(w.deps, {
      request: request({ parameters: { Region: '{{item.region}}', Zone: '{{item.zone}}' } }),
      batchKey: 'bad',
      createdBy: 'test',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).problems).toEqual([
      {
        field: 'itemsFrom[row 2].zone',
        problem: 'is missing; parameters.Zone ({{item.zone}}) names it',
      },
      { field: 'itemsFrom[row 3]', problem: 'has 1 field; the header has 2 (region,pad)' },
      {
        field: 'itemsFrom[row 4].zone',
        problem: 'is missing; parameters.Zone ({{item.zone}}) names it',
      },
    ]);
    expect(await w.ledger.listActiveBatches()).toEqual({ records: [], nextToken: undefined });
    expect(w.sagemaker.children).toHaveLength(0);
  });

  it('refuses {{item}} in a grouped batch and {{items}} in an ungrouped one before reading', async () => {
    const w = await world(csv(3));
    for (const [itemsFrom, parameters, problem] of [
      [{ uri, itemsPerExecution: 2 }, { P: 'x{{item.region}}' }, /use \{\{items\}\}/],
      [{ uri }, { P: '{{items}}' }, /\{\{items\}\} needs itemsFrom.itemsPerExecution/],
    ] as const) {
      await expect(
        submitBatch(w.deps, {
          request: request({ itemsFrom, parameters }),
          batchKey: 't',
          createdBy: 'test',
        }),
      ).rejects.toThrow(problem);
    }
    expect(w.objects.calls).toEqual([]);
  });

  it('refuses an object replaced after its first read, and records no batch', async () => {
    const w = await world(csv(20));
    w.objects.beforeGet = () => w.objects.put('items-bucket', 'regions.csv', csv(21));
    await expect(
      submitBatch(w.deps, { request: request(), batchKey: 'changing', createdBy: 'test' }),
    ).rejects.toThrow(SourceChangedError);
    expect(w.objects.calls).toEqual([
      'head regions.csv',
      expect.stringMatching(/^get regions\.csv 0-\d+ "[0-9a-f]{32}"$/),
    ]);
    expect(await w.ledger.listActiveBatches()).toEqual({ records: [], nextToken: undefined });
    expect(w.sagemaker.children).toHaveLength(0);
  });

  it('claims first children for at most FIRST_REFILL_MS, leaving the rest to the next refill', async () => {
    const w = await world(csv(400), 400);
    let clock = Date.UTC(2026, 11, 1, 10, 0, 0);
    const deps = { ...w.deps, now: () => (clock += 100) };
    const { batch } = await submitBatch(deps, {
      request: request({ maxConcurrentExecutions: 400 }),
      batchKey: 'large',
      createdBy: 'test',
    });
    const first = w.sagemaker.children.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(400);
    expect(batch.cursor).toBe(first);
    await refillBatch(deps, batch.batchId);
    expect(w.sagemaker.children.length).toBeGreaterThan(first);
  });

  it('refuses a request with both items and itemsFrom, or neither, naming both', () => {
    const problems = (body: Record<string, unknown>) => {
      const result = v.safeParse(batchRequestSchema, body);
      return result.success ? [] : result.issues.map((issue) => issue.message);
    };
    expect(problems({ pipelines: ['p'], items: ['a'], itemsFrom: { uri } })).toEqual([
      'give items or itemsFrom, not both',
    ]);
    expect(problems({ pipelines: ['p'] })).toEqual([
      'required: items (the items as a JSON array) or itemsFrom (where to read them: {"uri": "s3://..."})',
    ]);
  });
});
