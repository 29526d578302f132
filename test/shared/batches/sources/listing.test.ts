import { describe, expect, it } from 'vitest';
import { SourceNotFoundError } from '../../../../shared/batches/sources/errors';
import { openSource } from '../../../../shared/batches/sources/items';
import { MemorySource } from './support/memory-source';
import { itemsFrom, readAll } from './support/read';

describe('prefix listings', () => {
  it('makes one item per object under the prefix, page after page, in key order', async () => {
    const memory = new MemorySource();
    for (let i = 0; i < 2_345; i++)
      memory.put('data-bucket', `shards/${String(i).padStart(5, '0')}.bin`, `${i}`);
    memory.put('data-bucket', 'shards/', '');
    memory.put('data-bucket', 'other/x.bin', 'x');
    const result = await readAll(memory, { uri: 's3://data-bucket/shards/', list: 'objects' });
    if (!('items' in result)) throw new Error(JSON.stringify(result));
    expect(result.items).toHaveLength(2_345);
    expect(result.items[0]).toEqual({
      key: 'shards/00000.bin',
      size: 1,
      etag: 'cfcd208495d565ef66e7dff9f98764da',
      lastModified: expect.stringMatching(/^2026-12-01T10:/),
    });
    expect(result.items.at(-1)).toMatchObject({ key: 'shards/02344.bin', size: 4 });
    expect(memory.calls.filter((call) => call.startsWith('list'))).toEqual([
      'list shards/ ',
      'list shards/ 1000',
      'list shards/ 2000',
    ]);
  });

  it('treats a prefix with no objects as no items', async () => {
    const memory = new MemorySource();
    memory.put('data-bucket', 'elsewhere/a', 'a');
    expect(await readAll(memory, { uri: 's3://data-bucket/shards/', list: 'objects' })).toEqual({
      problems: [
        {
          field: 'itemsFrom',
          problem: 's3://data-bucket/shards/ holds no items; a batch needs at least 1',
        },
      ],
    });
  });

  it('refuses an object that does not exist before reading anything', async () => {
    await expect(
      openSource(new MemorySource(), itemsFrom({ uri: 's3://data-bucket/missing.jsonl' })),
    ).rejects.toThrow(SourceNotFoundError);
  });
});
