import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceEntry } from '../../../../shared/batches/sources/entries';
import { readJsonArray } from '../../../../shared/batches/sources/json-array';
import { MemorySource } from './support/memory-source';
import { chunked, readAll } from './support/read';

const source = (text: string, chunkBytes = 7) => {
  const memory = new MemorySource(chunkBytes);
  memory.put('items-bucket', 'shards.json', text);
  return memory;
};
const uri = 's3://items-bucket/shards.json';

const collect = async (entries: AsyncIterable<SourceEntry>) => {
  const out: SourceEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
};

describe('JSON array sources', () => {
  it('reads each element of a top-level array, whatever it holds and however it is cut', async () => {
    const text =
      ' [\n {"s": "a]b}c\\"d", "n": [1, {"x": []}]},\n"str,ing" , 12.5e3,true,false,null,[],{} ,-0\n]\n';
    for (const chunkBytes of [1, 2, 5, 100]) {
      expect(await readAll(source(text, chunkBytes), { uri })).toEqual({
        items: [
          { s: 'a]b}c"d', n: [1, { x: [] }] },
          'str,ing',
          12500,
          true,
          false,
          null,
          [],
          {},
          -0,
        ],
      });
    }
  });

  it('names each element that is not JSON with its line, and reads on', async () => {
    expect(await readAll(source('[1,\n{"a" 1},\n tru,\n 4]'), { uri })).toEqual({
      problems: [
        {
          field: 'itemsFrom[element 1 (line 2)]',
          problem: expect.stringMatching(/^is not a JSON value/),
        },
        {
          field: 'itemsFrom[element 2 (line 3)]',
          problem: expect.stringMatching(/^is not a JSON value/),
        },
      ],
    });
  });

  it('stops at a broken structure: not an array, a missing comma, a trailing comma, text after it, no end', async () => {
    const cases: Array<[string, string, string]> = [
      ['{"a": 1}', 'itemsFrom[line 1]', 'is not a JSON array: expected [, found "{"'],
      ['[1 2]', 'itemsFrom[line 1]', 'expected , or ] after element 0, found "2"'],
      ['[1,\n]', 'itemsFrom[line 2]', 'expected a value after ,, found ]'],
      ['[1]\n[2]', 'itemsFrom[line 2]', `has "[" after the array's closing ]`],
      ['[1, {"a": 2}', 'itemsFrom[line 1]', 'ends before the array closes (no ])'],
      ['', 'itemsFrom[line 1]', 'is empty: expected a JSON array'],
    ];
    for (const [text, field, problem] of cases) {
      const result = await readAll(source(text), { uri });
      expect(result, text).toEqual({ problems: expect.arrayContaining([{ field, problem }]) });
    }
  });

  it('treats an empty array as no items', async () => {
    expect(await readAll(source('[ ]'), { uri })).toEqual({
      problems: [
        { field: 'itemsFrom', problem: `${uri} holds no items; a batch needs at least 1` },
      ],
    });
  });

  it('refuses an element over the item limit without holding it', async () => {
    expect(
      await readAll(source(`["${'x'.repeat(50)}", 1]`), { uri }, { maxItemBytes: 20 }),
    ).toEqual({
      problems: [
        {
          field: 'itemsFrom[element 0 (line 1)]',
          problem: 'is over 20 bytes, the most an item may be',
        },
      ],
    });
  });

  it('gives back any array of JSON values, however it is formatted and cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (values, sizes, pretty) => {
          const text = JSON.stringify(values, null, pretty ? 2 : undefined);
          const entries = await collect(readJsonArray(chunked(text, sizes), 100_000));
          expect(entries.map((entry) => (entry.kind === 'item' ? entry.item : entry))).toEqual(
            JSON.parse(text),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
