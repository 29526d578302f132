import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../../shared/batches/sources/csv';
import type { SourceEntry } from '../../../../shared/batches/sources/entries';
import { MemorySource } from './support/memory-source';
import { chunked, readAll } from './support/read';

const source = (text: string | Uint8Array, chunkBytes = 7) => {
  const memory = new MemorySource(chunkBytes);
  memory.put('items-bucket', 'regions.csv', text);
  return memory;
};
const uri = 's3://items-bucket/regions.csv';

const collect = async (entries: AsyncIterable<SourceEntry>) => {
  const out: SourceEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
};

describe('CSV sources', () => {
  it('makes each row an object keyed by the first line, with RFC 4180 quoting', async () => {
    const text =
      'region,note,count\r\neu-west-1,"comma, inside",3\r\nus-east-1,"a ""quoted"" word",4\r\n"ap-south-1","two\r\nlines",\r\n';
    for (const chunkBytes of [1, 2, 3, 64]) {
      expect(await readAll(source(text, chunkBytes), { uri })).toEqual({
        items: [
          { region: 'eu-west-1', note: 'comma, inside', count: '3' },
          { region: 'us-east-1', note: 'a "quoted" word', count: '4' },
          { region: 'ap-south-1', note: 'two\r\nlines', count: '' },
        ],
      });
    }
  });

  it('takes the column names from csvHeader, and another delimiter', async () => {
    const text = 'eu-west-1;3\nus-east-1;"4;5"\n\n';
    expect(
      await readAll(source(text), { uri, csvHeader: ['region', 'count'], delimiter: ';' }),
    ).toEqual({
      items: [
        { region: 'eu-west-1', count: '3' },
        { region: 'us-east-1', count: '4;5' },
      ],
    });
    expect(
      await readAll(source('a\tb\n1\t2\n'), {
        uri: 's3://items-bucket/regions.csv',
        delimiter: '\t',
      }),
    ).toEqual({ items: [{ a: '1', b: '2' }] });
  });

  it('names the row (the line it starts on) of each bad record and reads on', async () => {
    const text = [
      'region,count',
      'eu-west-1,1',
      'us-east-1',
      '"multi',
      'line",2',
      'x,1,extra',
      'ab"c,1',
      '"ab"c,1',
      'ok,5',
    ].join('\n');
    expect(await readAll(source(text), { uri })).toEqual({
      problems: [
        { field: 'itemsFrom[row 3]', problem: 'has 1 field; the header has 2 (region,count)' },
        { field: 'itemsFrom[row 6]', problem: 'has 3 fields; the header has 2 (region,count)' },
        {
          field: 'itemsFrom[row 7]',
          problem: 'has a quote inside an unquoted field; quote the field and double the quote',
        },
        { field: 'itemsFrom[row 8]', problem: 'has text after a closing quote in field 1' },
      ],
    });
  });

  it('refuses a quoted field that never ends, and a header with a repeated or empty name', async () => {
    expect(await readAll(source('a,b\n1,"open\n2,3\n'), { uri })).toEqual({
      problems: [
        {
          field: 'itemsFrom[row 2]',
          problem: 'has a quoted field that never ends (a quote is missing)',
        },
      ],
    });
    expect(await readAll(source('a,a\n1,2\n'), { uri })).toEqual({
      problems: [{ field: 'itemsFrom[row 1]', problem: '(the header) names column "a" twice' }],
    });
    expect(await readAll(source('a,,c\n1,2,3\n'), { uri })).toEqual({
      problems: [
        { field: 'itemsFrom[row 1]', problem: '(the header) has an empty column name (column 2)' },
      ],
    });
  });

  it('treats a header alone as no items', async () => {
    expect(await readAll(source('\uFEFFregion,count\n'), { uri })).toEqual({
      problems: [
        {
          field: 'itemsFrom',
          problem: 's3://items-bucket/regions.csv holds no items; a batch needs at least 1',
        },
      ],
    });
  });

  it('reads back any table it is given, written as RFC 4180 and cut anywhere', async () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '😀'),
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((columns) =>
          fc.tuple(
            fc.uniqueArray(
              fc.string({ unit: fc.constantFrom('x', 'y', 'z', '1'), minLength: 1, maxLength: 3 }),
              {
                minLength: columns,
                maxLength: columns,
              },
            ),
            fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { maxLength: 6 }),
          ),
        ),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\n', '\r\n'),
        async ([header, rows], sizes, newline) => {
          const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
          const text =
            [header, ...rows].map((row) => row.map(quote).join(',')).join(newline) + newline;
          const entries = await collect(
            readCsv(chunked(text, sizes), { header: 'first-line', delimiter: ',' }, 1000),
          );
          expect(entries.map((entry) => (entry.kind === 'item' ? entry.item : entry))).toEqual(
            rows.map((row) =>
              Object.fromEntries(row.map((value, index) => [header[index], value])),
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
