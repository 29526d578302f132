import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/errors';
import { assertPipelinesAllowed, parseAllowList } from '../../../shared/fan-out/allow-list';
import { PipelineNotAllowedError } from '../../../shared/fan-out/errors';

describe('FAN_OUT_ALLOWED_PIPELINES', () => {
  it('allows nothing when unset or empty', () => {
    expect(parseAllowList(undefined)).toEqual({ kind: 'none' });
    expect(parseAllowList(' ')).toEqual({ kind: 'none' });
    expect(() => assertPipelinesAllowed(parseAllowList(undefined), ['a'])).toThrow(
      /not allowed: no child pipeline is allowed because FAN_OUT_ALLOWED_PIPELINES is not set/,
    );
  });

  it('allows any pipeline only with an explicit lone *', () => {
    expect(parseAllowList('*')).toEqual({ kind: 'any' });
    expect(() => assertPipelinesAllowed(parseAllowList('*'), ['anything'])).not.toThrow();
    expect(() => parseAllowList('a,*')).toThrow(ConfigError);
  });

  it('allows the listed names, given by name or ARN, and refuses the others by name', () => {
    const allowList = parseAllowList(' child-a , child-b ');
    expect(() =>
      assertPipelinesAllowed(
        allowList,
        ['child-a', 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-b'],
        { partition: 'aws', region: 'us-east-1', account: '123456789012' },
      ),
    ).not.toThrow();
    const error = (() => {
      try {
        assertPipelinesAllowed(
          allowList,
          ['child-a', 'other', 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/x'],
          { partition: 'aws', region: 'us-east-1', account: '123456789012' },
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PipelineNotAllowedError);
    expect((error as PipelineNotAllowedError).pipelines).toEqual([
      'other',
      'arn:aws:sagemaker:us-east-1:123456789012:pipeline/x',
    ]);
  });

  it('rejects an entry that is not a pipeline name, naming it', () => {
    expect(() => parseAllowList('child-a,bad_name')).toThrow(/"bad_name"/);
    expect(() =>
      parseAllowList('arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-a'),
    ).toThrow(ConfigError);
  });
});

describe('PipelineNotAllowedError', () => {
  it('fits on one line of a failure reason however long the pipelines', () => {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${'p'.repeat(250)}`;
    const error = new PipelineNotAllowedError(Array(10).fill(arn), 'not listed');
    expect([...error.message].length).toBeLessThanOrEqual(1024);
    expect(error.message).toMatch(
      /^Pipelines "arn:aws:sagemaker:us-east-1:123456789012:pipeline\/p+…"/,
    );
  });
});
