import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../../shared/errors';
import {
  fanOutRequestSchema,
  formatIndexes,
  MAX_CONCURRENCY,
  planFanOut,
} from '../../../shared/fan-out/request';
import { planBatches } from '../../../shared/steps/plan-batches';
import { parseEvent } from '../../../shared/validation';

const valid = {
  pipelines: ['child-a'],
  items: ['a', 'b'],
  batchKey: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/x1',
};

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputValidationError) {
      return error.problems.map((p) => `${p.field}: ${p.problem}`);
    }
    throw error;
  }
  throw new Error('expected an InputValidationError');
};

const parse = (event: Record<string, unknown>) => parseEvent(fanOutRequestSchema, event);
const plan = (event: Record<string, unknown>) => planFanOut(parse(event));

describe('fan-out request', () => {
  it('accepts lists and objects as native JSON or as strings holding them', () => {
    const request = parse({
      ...valid,
      pipelines: '["child-a", "child-b"]',
      items: '[1, {"a": 2}]',
      parameters: '{"X": "{{item}}"}',
      maxConcurrency: '12',
      maxParallelExecutionSteps: '3',
      dryRun: 'false',
    });
    expect(request).toMatchObject({
      pipelines: ['child-a', 'child-b'],
      items: [1, { a: 2 }],
      parameters: { X: '{{item}}' },
      maxConcurrency: 12,
      maxParallelExecutionSteps: 3,
      dryRun: false,
    });
  });

  it("accepts plan-batches' batches output as is, one child execution per batch", () => {
    const { batches } = planBatches({ items: ['a', 'b', 'c'], batchSize: 2 });
    const planned = plan({ ...valid, items: batches });
    expect(planned.requested).toBe(2);
    expect(planned.execution(0, 1).parameters).toEqual([{ Name: 'Item', Value: '["c"]' }]);
  });

  it('keeps parameters named constructor and prototype, which SageMaker allows', () => {
    const planned = plan({
      ...valid,
      parameters: '{"constructor": "{{item}}", "prototype": "{{index}}"}',
    });
    expect(planned.execution(0, 1).parameters).toEqual([
      { Name: 'constructor', Value: 'b' },
      { Name: 'prototype', Value: '1' },
    ]);
  });

  it('names each parameter whose template is not a string', () => {
    expect(
      problemsOf(() => parse({ ...valid, parameters: { A: '{{item}}', B: 7, C: null } })),
    ).toEqual([
      'parameters.B: expected a string, received number 7',
      'parameters.C: expected a string, received null',
    ]);
  });

  it('lists every shape problem in one error', () => {
    const problems = problemsOf(() =>
      parse({
        pipelines: [],
        items: 'not json',
        maxConcurrency: MAX_CONCURRENCY + 1,
        maxParallelExecutionSteps: 0,
        dryRun: 'yes',
      }),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining([
        'pipelines',
        'items',
        'batchKey',
        'maxConcurrency',
        'maxParallelExecutionSteps',
        'dryRun',
      ]),
    );
  });

  it('checks pipeline names and ARNs against SageMaker pattern, and their count', () => {
    const problems = problemsOf(() =>
      parse({ ...valid, pipelines: ['ok', 'bad_name', '-x', 'arn:aws:s3:::bucket'] }),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^pipelines\[1\]: .*"bad_name"/);
    expect(problemsOf(() => parse({ ...valid, pipelines: Array(11).fill('p') }))[0]).toMatch(
      /at most 10/,
    );
    expect(
      parse({ ...valid, pipelines: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-a'] }),
    ).toBeTruthy();
  });

  it('rejects 0 and 10,001 items and accepts 10,000', () => {
    expect(problemsOf(() => parse({ ...valid, items: [] }))[0]).toMatch(
      /^items: expected at least 1/,
    );
    expect(problemsOf(() => parse({ ...valid, items: Array(10_001).fill(1) }))[0]).toMatch(
      /at most 10000/,
    );
    expect(plan({ ...valid, items: Array(10_000).fill(1) }).requested).toBe(10_000);
  });

  it('rejects a pipeline named twice, by name and by ARN', () => {
    expect(
      problemsOf(() =>
        plan({
          ...valid,
          pipelines: ['child-a', 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-a'],
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^pipelines\[1\]: names the same pipeline as pipelines\[0\]/),
    ]);
  });

  it('checks parameter names and the number of parameters', () => {
    const problems = problemsOf(() =>
      plan({ ...valid, parameters: { 'bad name': '{{item}}', ok_1: 'x', '': 'y' } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^parameters.bad name: parameter name "bad name" must be 1 to 256/),
      expect.stringMatching(/^parameters.: parameter name "" must be/),
    ]);
    const two00 = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`P${i}`, 'v']));
    expect(plan({ ...valid, parameters: two00 }).execution(0, 0).parameters).toHaveLength(200);
    expect(problemsOf(() => plan({ ...valid, parameters: { ...two00, P200: 'v' } }))[0]).toMatch(
      /at most 200 parameters/,
    );
  });

  it('names every item a template cannot be rendered for, as index ranges', () => {
    const items = [{ id: 1 }, {}, {}, { id: 4 }, {}, 'x'.repeat(2000)];
    const problems = problemsOf(() =>
      plan({ ...valid, items, parameters: { Id: '{{item.id}}', Raw: '{{item}}' } }),
    );
    expect(problems).toEqual([
      'parameters.Id: {{item.id}} names field "id" that the item does not have for items 1-2, 4-5 (4 items)',
      "parameters.Raw: renders to more than 1024 characters (a parameter value's limit) for item 5",
    ]);
  });

  it('reports an unknown placeholder once, not per item', () => {
    expect(problemsOf(() => plan({ ...valid, parameters: { A: '{{items}}' } }))).toEqual([
      expect.stringMatching(/^parameters.A: unknown placeholder \{\{items\}\}/),
    ]);
  });

  it('rejects a display name prefix with no letter or digit', () => {
    expect(problemsOf(() => plan({ ...valid, displayNamePrefix: '___' }))[0]).toMatch(
      /^displayNamePrefix: expected letters or digits/,
    );
    expect(plan({ ...valid, displayNamePrefix: 'my_run' }).execution(0, 1).displayName).toMatch(
      /^my-run-[0-9a-f]{12}-1$/,
    );
  });

  it('words the error as one line naming the request and the field', () => {
    try {
      plan({ ...valid, parameters: { A: '{{item.x}}' } });
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^Invalid fan-out request \(1 problem\): parameters.A/,
      );
      expect((error as Error).message).not.toContain('\n');
    }
    expect.assertions(2);
  });
});

describe('formatIndexes', () => {
  it('collapses runs into ranges', () => {
    expect(formatIndexes([0, 1, 2, 5, 7, 8])).toBe('0-2, 5, 7-8');
    expect(formatIndexes([3])).toBe('3');
  });
});
