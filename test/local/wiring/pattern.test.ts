import { describe, expect, it } from 'vitest';
import { EventPatternError, matchesPattern } from '../../../local/wiring/pattern';

const event = {
  source: 'aws.sagemaker',
  'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
  resources: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-pipeline-1', 'arn:x'],
  detail: {
    currentPipelineExecutionStatus: 'Succeeded',
    pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/child-pipeline-1',
    attempt: 3,
    sourceIp: '10.0.1.7',
    empty: null,
  },
};

describe('matchesPattern (EventBridge content filtering)', () => {
  it.each([
    [{ source: ['aws.sagemaker'] }, true],
    [{ source: ['aws.events', 'aws.sagemaker'] }, true],
    [{ source: ['AWS.sagemaker'] }, false],
    [{ source: [{ 'equals-ignore-case': 'AWS.SageMaker' }] }, true],
    [{ detail: { currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] } }, true],
    [{ detail: { currentPipelineExecutionStatus: ['Executing'] } }, false],
    [
      {
        detail: { pipelineArn: [{ prefix: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/' }] },
      },
      true,
    ],
    [{ detail: { pipelineArn: [{ prefix: 'arn:aws:sagemaker:eu-west-1:' }] } }, false],
    [{ detail: { pipelineArn: [{ suffix: '/child-pipeline-1' }] } }, true],
    [{ detail: { pipelineArn: [{ wildcard: 'arn:aws:sagemaker:*:pipeline/child-*' }] } }, true],
    [{ detail: { currentPipelineExecutionStatus: [{ 'anything-but': 'Executing' }] } }, true],
    [
      { detail: { currentPipelineExecutionStatus: [{ 'anything-but': ['Succeeded', 'Failed'] }] } },
      false,
    ],
    [
      { detail: { currentPipelineExecutionStatus: [{ 'anything-but': { prefix: 'Succ' } }] } },
      false,
    ],
    [{ detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    [{ detail: { attempt: [{ numeric: ['>', 0, '<=', 3] }] } }, true],
    [{ detail: { attempt: [{ numeric: ['>', 3] }] } }, false],
    [{ detail: { attempt: [3] } }, true],
    [{ detail: { attempt: ['3'] } }, false],
    [{ detail: { pipelineArn: [{ exists: true }] } }, true],
    [{ detail: { missing: [{ exists: true }] } }, false],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { pipelineArn: [{ exists: false }] } }, false],
    [{ detail: { empty: [null] } }, true],
    [{ detail: { sourceIp: [{ cidr: '10.0.0.0/16' }] } }, true],
    [{ detail: { sourceIp: [{ cidr: '10.1.0.0/16' }] } }, false],
    // An array in the event matches when any of its elements does.
    [{ resources: ['arn:x'] }, true],
    [{ detail: { nested: { deeper: ['x'] } } }, false],
    [{ $or: [{ source: ['aws.events'] }, { detail: { attempt: [3] } }] }, true],
    [{ $or: [{ source: ['aws.events'] }, { detail: { attempt: [4] } }] }, false],
  ])('%j -> %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('refuses what EventBridge would refuse', () => {
    expect(() => matchesPattern({ source: 'aws.sagemaker' }, event)).toThrow(EventPatternError);
    expect(() => matchesPattern({ source: [{ unknown: 1 }] }, event)).toThrow(EventPatternError);
    expect(() => matchesPattern({ detail: { attempt: [{ numeric: ['~', 1] }] } }, event)).toThrow(
      EventPatternError,
    );
  });
});
