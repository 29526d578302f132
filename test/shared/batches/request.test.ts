import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  batchRequestSchema,
  describeDifferences,
  MAX_PART_BYTES,
  partOfItem,
  planBatch,
  requestParts,
  type StoredHead,
} from '../../../shared/batches/request';
import { InputValidationError } from '../../../shared/errors';

const request = (overrides: Record<string, unknown> = {}) =>
  v.parse(batchRequestSchema, {
    pipelines: ['child-pipeline-1'],
    items: ['a', 'b'],
    ...overrides,
  });

describe('planBatch', () => {
  it('fingerprints the request canonically: key order does not matter, content does', () => {
    const one = planBatch(request({ items: [{ a: 1, b: 2 }] }), 'k');
    const two = planBatch(request({ items: [{ b: 2, a: 1 }] }), 'k');
    const three = planBatch(request({ items: [{ a: 1, b: 3 }] }), 'k');
    expect(one.fingerprint).toBe(two.fingerprint);
    expect(three.fingerprint).not.toBe(one.fingerprint);
    expect(describeDifferences(one.fingerprintParts, three.fingerprintParts)).toEqual([
      'items differs',
    ]);
  });

  it('applies the defaults before fingerprinting, so an explicit default is the same request', () => {
    const implicit = planBatch(request(), 'k');
    const explicit = planBatch(
      request({ parameters: { Item: '{{item}}' }, maxConcurrentExecutions: 10 }),
      'k',
    );
    expect(explicit.fingerprint).toBe(implicit.fingerprint);
    expect(implicit.maxConcurrentExecutions).toBe(10);
  });

  it('names every differing field', () => {
    const one = planBatch(request(), 'k');
    const other = planBatch(
      request({
        pipelines: ['child-pipeline-2'],
        maxConcurrentExecutions: 3,
        displayNamePrefix: 'x',
      }),
      'k',
    );
    expect(describeDifferences(one.fingerprintParts, other.fingerprintParts)).toEqual([
      'pipelines differs',
      'displayNamePrefix differs',
      'maxConcurrentExecutions differs',
    ]);
  });

  it('validates exactly as the fan-out does: templates against every item, duplicate pipelines', () => {
    expect(() =>
      planBatch(
        request({
          pipelines: ['child-pipeline-1', 'child-pipeline-1'],
          items: [{ id: 1 }, { other: 2 }],
          parameters: { Item: '{{item.id}}' },
        }),
        'k',
      ),
    ).toThrow(
      /pipelines\[1\]: names the same pipeline as pipelines\[0\].*parameters\.Item: \{\{item\.id\}\} names field "id" that the item does not have for item 1/,
    );
  });

  it('refuses maxConcurrentExecutions out of range, naming the field', () => {
    const result = v.safeParse(batchRequestSchema, {
      pipelines: ['child-pipeline-1'],
      items: ['a'],
      maxConcurrentExecutions: 0,
    });
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.path?.[0]?.key).toBe('maxConcurrentExecutions');
  });
});

describe('requestParts', () => {
  it('stores items in parts under the item size limit, each readable again by its index', () => {
    const items = Array.from({ length: 3_000 }, (_, i) => ({ id: i, pad: 'x'.repeat(200) }));
    const planned = planBatch(request({ items }), 'k');
    const parts = requestParts(planned);
    const head = JSON.parse(parts[0] ?? '') as StoredHead;
    expect(head.itemCount).toBe(3_000);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(MAX_PART_BYTES);
    for (const index of [0, 1, 1_234, 2_999]) {
      const part = partOfItem(head.starts, index);
      const stored = JSON.parse(parts[part] ?? '[]') as unknown[];
      expect(stored[index - (head.starts[part - 1] ?? 0)]).toEqual(items[index]);
    }
  });

  it('refuses an item too large to store, naming it', () => {
    const planned = planBatch(
      request({ items: ['a', 'x'.repeat(MAX_PART_BYTES)], parameters: { Index: '{{index}}' } }),
      'k',
    );
    expect(() => requestParts(planned)).toThrow(InputValidationError);
    expect(() => requestParts(planned)).toThrow(/items\[1\]/);
  });
});
