import { describe, expect, it } from 'vitest';
import { MemorySource } from './support/memory-source';
import { readAll } from './support/read';

const source = (text: string | Uint8Array, chunkBytes = 7) => {
  const memory = new MemorySource(chunkBytes);
  memory.put('items-bucket', 'in/items.jsonl', text);
  return memory;
};

describe('JSON Lines sources', () => {
  it('reads one JSON value a line, skipping blank lines and CRLF endings, whatever the chunking', async () => {
    const text = '{"region":"eu-west-1"}\r\n\r\n"plain"\n[1,2]\n  \n42\nnull\n{"a":{"b":"x\\ny"}}';
    for (const chunkBytes of [1, 2, 3, 5, 64]) {
      expect(
        await readAll(source(text, chunkBytes), { uri: 's3://items-bucket/in/items.jsonl' }),
      ).toEqual({
        items: [{ region: 'eu-west-1' }, 'plain', [1, 2], 42, null, { a: { b: 'x\ny' } }],
      });
    }
  });

  it('names the line of each value that is not JSON, and reads on to report them all', async () => {
    const result = await readAll(source('{"a":1}\n{"a":\n"ok"\nnot json\n{"a":2}\n'), {
      uri: 's3://items-bucket/in/items.jsonl',
    });
    expect(result).toEqual({
      problems: [
        { field: 'itemsFrom[line 2]', problem: expect.stringMatching(/^is not a JSON value/) },
        { field: 'itemsFrom[line 4]', problem: expect.stringMatching(/^is not a JSON value/) },
      ],
    });
  });

  it('refuses a line over the item limit without holding it, and a line that is not UTF-8', async () => {
    const long = `"${'x'.repeat(200)}"`;
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(`1\n${long}\n`),
      0xff,
      0xfe,
      10,
      0x33,
    ]);
    const result = await readAll(
      source(bytes),
      { uri: 's3://items-bucket/in/items.jsonl' },
      { maxItemBytes: 100 },
    );
    expect(result).toEqual({
      problems: [
        { field: 'itemsFrom[line 2]', problem: 'is over 100 bytes, the most an item may be' },
        { field: 'itemsFrom[line 3]', problem: 'is not UTF-8 text' },
      ],
    });
  });

  it('reads a file with a byte order mark and no final line break', async () => {
    expect(
      await readAll(source('\uFEFF"a"\n"b"'), { uri: 's3://items-bucket/in/items.jsonl' }),
    ).toEqual({
      items: ['a', 'b'],
    });
  });
});
