import { describe, expect, it } from 'vitest';
import { resultResponse } from '../../../shared/fan-out/post';
import type { FanOutResult } from '../../../shared/fan-out/result';
import { toProblem } from '../../../shared/http/problem-details';

const result = (executions: number): FanOutResult => ({
  batchId: 'abcdef012345',
  batchKey: 'k',
  requested: executions,
  started: executions,
  deferred: 0,
  failed: [],
  executions: Array.from({ length: executions }, (_, index) => ({
    pipeline: `child-pipeline-${'x'.repeat(100)}`,
    index,
    executionArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/child/execution/${'e'.repeat(100)}${index}`,
    displayName: `fan-out-abcdef012345-${index}`,
  })),
  deferredExecutions: [],
  dryRun: false,
});

describe('fan-out HTTP responses', () => {
  it('lists every execution when the body fits in a Lambda response', () => {
    const body = JSON.parse(resultResponse(result(100)).body as string);
    expect(body.executions).toHaveLength(100);
    expect(body).not.toHaveProperty('executionsOmitted');
  });

  it('shortens a body too large for a Lambda response and says how much it left out', () => {
    const response = resultResponse(result(20_000));
    expect((response.body as string).length).toBeLessThan(6 * 1024 * 1024);
    const body = JSON.parse(response.body as string);
    expect(body.started).toBe(20_000);
    expect(body.executions).toHaveLength(1_000);
    expect(body.executionsOmitted).toBe(19_000);
  });

  it('never shows a 5xx the error message', () => {
    const problem = toProblem(
      new Error('connect ECONNREFUSED 10.0.0.12:443 /secret/path'),
      'req-1',
    );
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The request could not be processed because of an internal error.',
      requestId: 'req-1',
    });
  });
});
