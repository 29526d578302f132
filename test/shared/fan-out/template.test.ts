import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate } from '../../../shared/fan-out/template';

const render = (source: string, item: unknown, index = 3, max = 1024) => {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw new Error(`does not compile: ${compiled.unknown}`);
  return renderTemplate(compiled.template, item, index, 'abcdef012345', max);
};

describe('parameter templates', () => {
  it('renders a string item as is and any other item as JSON', () => {
    expect(render('{{item}}', 'plain text')).toEqual({ ok: true, value: 'plain text' });
    expect(render('{{item}}', { a: [1, 'x'] })).toEqual({ ok: true, value: '{"a":[1,"x"]}' });
    expect(render('{{item}}', ['a', 'b'])).toEqual({ ok: true, value: '["a","b"]' });
    expect(render('{{item}}', null)).toEqual({ ok: true, value: 'null' });
  });

  it('renders nested fields, the index, the batch id and surrounding text', () => {
    const item = { s3: { bucket: 'data', key: 'k/1' }, n: 4, list: ['x', 'y'] };
    expect(render('s3://{{item.s3.bucket}}/{{ item.s3.key }}', item)).toEqual({
      ok: true,
      value: 's3://data/k/1',
    });
    expect(render('{{item.n}}-{{item.list.1}}-{{index}}-{{batchId}}', item)).toEqual({
      ok: true,
      value: '4-y-3-abcdef012345',
    });
    expect(render('{{item.s3}}', item)).toEqual({
      ok: true,
      value: '{"bucket":"data","key":"k/1"}',
    });
  });

  it('reports a field the item does not have, including prototype names', () => {
    expect(render('{{item.a.b}}', { a: {} })).toEqual({
      ok: false,
      problem: { kind: 'missing-field', field: 'a.b' },
    });
    expect(render('{{item.a}}', 'a string')).toMatchObject({ ok: false });
    expect(render('{{item.constructor}}', {})).toMatchObject({ ok: false });
    expect(render('{{item.__proto__}}', {})).toMatchObject({ ok: false });
    expect(render('{{item.5}}', ['a'])).toMatchObject({ ok: false });
  });

  it('rejects a placeholder it does not know', () => {
    expect(compileTemplate('x-{{itemz}}')).toEqual({ ok: false, unknown: '{{itemz}}' });
    expect(compileTemplate('{{item.}}')).toMatchObject({ ok: false });
    expect(compileTemplate('{{}}')).toMatchObject({ ok: false });
  });

  it('keeps text without placeholders, including lone braces', () => {
    expect(render('{not a placeholder} {{', 'x')).toEqual({
      ok: true,
      value: '{not a placeholder} {{',
    });
  });

  it('reports a huge item as too long without counting all of it', () => {
    const result = render('{{item}}{{item}}', { blob: 'y'.repeat(3_000_000) });
    expect(result).toMatchObject({ ok: false, problem: { kind: 'too-long' } });
  });

  it('accepts a value of exactly the limit and reports one character over', () => {
    expect(render('{{item}}', 'é'.repeat(1024))).toMatchObject({ ok: true });
    expect(render('{{item}}', 'é'.repeat(1025))).toEqual({
      ok: false,
      problem: { kind: 'too-long', length: 1025 },
    });
    // Characters, not UTF-16 units: 1,024 emoji are within the limit.
    expect(render('{{item}}', '😀'.repeat(1024))).toMatchObject({ ok: true });
  });
});
