import { describe, expect, it } from 'vitest';
import { SourceChangedError } from '../../../../shared/batches/sources/errors';
import { openSource, readSource } from '../../../../shared/batches/sources/items';
import { MAX_REPORTED_PROBLEMS } from '../../../../shared/batches/sources/problems';
import { MAX_SOURCE_EXECUTIONS } from '../../../../shared/batches/sources/schema';
import { sourceTemplates, templateChecker } from '../../../../shared/batches/sources/templates';
import { MemorySource } from './support/memory-source';
import { itemsFrom, readAll } from './support/read';

const jsonl = (items: readonly unknown[]) => items.map((item) => JSON.stringify(item)).join('\n');

const store = (key: string, text: string) => {
  const memory = new MemorySource(64);
  memory.put('items-bucket', key, text);
  return memory;
};

describe('reading a source', () => {
  it('stops after maxItems, counting bad items as read', async () => {
    const memory = store('a.jsonl', jsonl([1, 2, 3, 4, 5]));
    expect(await readAll(memory, { uri: 's3://items-bucket/a.jsonl', maxItems: 3 })).toEqual({
      items: [1, 2, 3],
    });
    const bad = store('b.jsonl', '1\n{\n3\n4');
    expect(await readAll(bad, { uri: 's3://items-bucket/b.jsonl', maxItems: 2 })).toEqual({
      problems: [
        { field: 'itemsFrom[line 2]', problem: expect.stringMatching(/^is not a JSON value/) },
      ],
    });
  });

  it('groups itemsPerExecution items into one child, the last group holding the rest', async () => {
    const memory = store('a.csv', 'n\n1\n2\n3\n4\n5\n');
    expect(await readAll(memory, { uri: 's3://items-bucket/a.csv', itemsPerExecution: 2 })).toEqual(
      {
        items: [[{ n: '1' }, { n: '2' }], [{ n: '3' }, { n: '4' }], [{ n: '5' }]],
      },
    );
  });

  it('refuses a group whose {{items}} would pass 1,024 characters, naming the group and its rows', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `region-${String(i).padStart(2, '0')},${'x'.repeat(i === 14 ? 900 : 10)}`,
    );
    const memory = store('a.csv', `region,pad\n${rows.join('\n')}\n`);
    const { templates, problems } = sourceTemplates({ Shards: 'shards={{items}}' }, true);
    expect(problems).toEqual([]);
    const check = templateChecker(templates, '0123456789ab', true);
    expect(
      await readAll(memory, { uri: 's3://items-bucket/a.csv', itemsPerExecution: 10 }, { check }),
    ).toEqual({
      problems: [
        {
          field: 'itemsFrom[group 1 (row 12 to row 21)]',
          problem:
            "parameters.Shards renders to more than 1024 characters (a parameter value's limit); lower itemsPerExecution",
        },
      ],
    });
  });

  it('names the row and the field a template needs and an item lacks, for each such item', async () => {
    const memory = store('a.jsonl', jsonl([{ region: 'a' }, { zone: 'b' }, { region: 'c' }, {}]));
    const check = templateChecker(
      { Region: '{{item.region}}', Index: '{{index}}' },
      '0123456789ab',
      false,
    );
    expect(await readAll(memory, { uri: 's3://items-bucket/a.jsonl' }, { check })).toEqual({
      problems: [
        {
          field: 'itemsFrom[line 2].region',
          problem: 'is missing; parameters.Region ({{item.region}}) names it',
        },
        {
          field: 'itemsFrom[line 4].region',
          problem: 'is missing; parameters.Region ({{item.region}}) names it',
        },
      ],
    });
  });

  it('keeps the first 1,000 problems and counts the others', async () => {
    const lines = Array.from({ length: 1_500 }, (_, i) => (i % 5 === 0 ? '{}' : 'bad'));
    const memory = store('a.jsonl', lines.join('\n'));
    const result = await readAll(memory, { uri: 's3://items-bucket/a.jsonl' });
    if (!('problems' in result)) throw new Error('expected problems');
    expect(result.problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(result.problems[0]?.field).toBe('itemsFrom[line 2]');
    expect(result.problems.at(-1)).toEqual({
      field: 'itemsFrom',
      problem: '200 more problems not listed (the first 1000 are)',
    });
  });

  it(`stops at the ${MAX_SOURCE_EXECUTIONS.toLocaleString('en-US')}th child per pipeline`, async () => {
    const memory = store(
      'a.jsonl',
      Array.from({ length: MAX_SOURCE_EXECUTIONS + 2 }, (_, i) => i).join('\n'),
    );
    expect(await readAll(memory, { uri: 's3://items-bucket/a.jsonl' })).toEqual({
      problems: [
        {
          field: `itemsFrom[line ${MAX_SOURCE_EXECUTIONS + 1}]`,
          problem: expect.stringContaining('set maxItems, or itemsPerExecution to group items'),
        },
      ],
    });
    expect(
      await readAll(memory, { uri: 's3://items-bucket/a.jsonl', itemsPerExecution: 2 }),
    ).toMatchObject({ items: { length: (MAX_SOURCE_EXECUTIONS + 2) / 2 } });
  });

  it('hands items on only while no problem was found', async () => {
    const memory = store('a.jsonl', '1\n2\nbad\n4');
    const accepted: unknown[] = [];
    const opened = await openSource(memory, itemsFrom({ uri: 's3://items-bucket/a.jsonl' }));
    await expect(
      readSource(
        opened,
        () => [],
        (item) => void accepted.push(item),
      ),
    ).rejects.toThrow(/itemsFrom\[line 3\]/);
    expect(accepted).toEqual([1, 2]);
  });
});

describe('a source that changes while it is read', () => {
  it('reads every range after the first with If-Match, and refuses the object once it changed', async () => {
    const text = jsonl(Array.from({ length: 40 }, (_, i) => ({ i })));
    const memory = store('a.jsonl', text);
    memory.beforeGet = (calls) => {
      if (calls === 3) memory.put('items-bucket', 'a.jsonl', `${text}\n{"i":40}`);
    };
    const opened = await openSource(memory, itemsFrom({ uri: 's3://items-bucket/a.jsonl' }), {
      rangeBytes: 100,
    });
    const accepted: unknown[] = [];
    await expect(
      readSource(
        opened,
        () => [],
        (item) => void accepted.push(item),
      ),
    ).rejects.toThrow(SourceChangedError);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThan(40);
    const etag = opened.etag;
    expect(memory.calls.filter((call) => call.startsWith('get'))).toEqual([
      `get a.jsonl 0-99 ${etag}`,
      `get a.jsonl 100-199 ${etag}`,
      `get a.jsonl 200-299 ${etag}`,
    ]);
  });

  it('reads an object that does not change in ranges, all with the same If-Match', async () => {
    const text = jsonl(Array.from({ length: 40 }, (_, i) => ({ i })));
    const memory = store('a.jsonl', text);
    expect(
      await readAll(memory, { uri: 's3://items-bucket/a.jsonl' }, { rangeBytes: 100 }),
    ).toEqual({
      items: Array.from({ length: 40 }, (_, i) => ({ i })),
    });
    const gets = memory.calls.filter((call) => call.startsWith('get'));
    expect(gets).toHaveLength(Math.ceil(text.length / 100));
  });
});
