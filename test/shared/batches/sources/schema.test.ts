import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { formatOf, itemsFromSchema } from '../../../../shared/batches/sources/schema';
import { toFieldProblems } from '../../../../shared/validation';

const problems = (input: unknown) => {
  const result = v.safeParse(itemsFromSchema, input);
  return result.success ? [] : toFieldProblems(result.issues, itemsFromSchema);
};

describe('the itemsFrom schema', () => {
  it('accepts each kind of source, as an object or a string holding one', () => {
    for (const input of [
      { uri: 's3://items-bucket/in/items.jsonl' },
      { uri: 's3://items-bucket/regions.csv', csvHeader: 'first-line', delimiter: ',' },
      { uri: 's3://items-bucket/regions.txt', csvHeader: ['region', 'count'], delimiter: '\t' },
      { uri: 's3://items-bucket/shards.json', maxItems: 10, itemsPerExecution: '5' },
      { uri: 's3://items-bucket/data', format: 'jsonl' },
      { uri: 's3://items-bucket/shards/', list: 'objects' },
      { uri: 's3://items-bucket', list: 'objects' },
      JSON.stringify({ uri: 's3://items-bucket/in/items.jsonl' }),
    ]) {
      expect(problems(input), JSON.stringify(input)).toEqual([]);
    }
  });

  it('tells the format from list, format, the CSV options or the extension', () => {
    const formatFor = (input: Record<string, unknown>) => formatOf(v.parse(itemsFromSchema, input));
    expect(formatFor({ uri: 's3://b-1/p/', list: 'objects' })).toBe('objects');
    expect(formatFor({ uri: 's3://b-1/x.json', format: 'jsonl' })).toBe('jsonl');
    expect(formatFor({ uri: 's3://b-1/x.txt', delimiter: ';' })).toBe('csv');
    expect(formatFor({ uri: 's3://b-1/x.NDJSON' })).toBe('jsonl');
    expect(formatFor({ uri: 's3://b-1/x.csv' })).toBe('csv');
    expect(formatFor({ uri: 's3://b-1/x.json' })).toBe('json');
  });

  it('names the field of each mistake', () => {
    expect(problems({ uri: 'https://example.com/a.csv' })).toEqual([
      { field: 'uri', problem: expect.stringMatching(/^expected s3:\/\/<bucket>\/<key>/) },
    ]);
    expect(problems({ uri: 's3://items-bucket/data' })).toEqual([
      {
        field: 'format',
        problem: expect.stringMatching(/^cannot tell the format of "s3:\/\/items-bucket\/data"/),
      },
    ]);
    expect(problems({ uri: 's3://items-bucket/shards/' })).toEqual([
      { field: 'uri', problem: expect.stringMatching(/^names a prefix/) },
    ]);
    expect(problems({ uri: 's3://items-bucket/p/', list: 'objects', delimiter: ';' })).toEqual([
      { field: 'list', problem: 'a listing takes no format, csvHeader or delimiter' },
    ]);
    expect(problems({ uri: 's3://items-bucket/a.json', format: 'json', csvHeader: ['a'] })).toEqual(
      [{ field: 'format', problem: 'csvHeader and delimiter apply to format "csv" only' }],
    );
    expect(problems({ uri: 's3://items-bucket/a.csv', csvHeader: ['a', 'a'] })).toEqual([
      { field: 'csvHeader', problem: expect.stringMatching(/distinct column names/) },
    ]);
    expect(problems({ uri: 's3://items-bucket/a.csv', delimiter: '"' })).toEqual([
      {
        field: 'delimiter',
        problem: expect.stringMatching(/^expected one character other than a quote/),
      },
    ]);
    expect(
      problems({ uri: 's3://items-bucket/a.csv', itemsPerExecution: 501, maxItems: 0 }),
    ).toEqual([
      { field: 'maxItems', problem: 'expected at least 1, received number 0' },
      { field: 'itemsPerExecution', problem: 'expected at most 500, received number 501' },
    ]);
  });
});
