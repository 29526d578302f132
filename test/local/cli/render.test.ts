import type { PipelineExecutionStep } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { executionFailure, executionStatus, stepLine } from '../../../local/cli/render';

const lambdaFailed: PipelineExecutionStep = {
  StepName: 'Process',
  StepStatus: 'Failed',
  FailureReason: 'Lambda function threw: parameter Item must be a JSON list',
  Metadata: { Lambda: { Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f' } },
};
const failStep = (message: string, reason?: string): PipelineExecutionStep => ({
  StepName: 'Stop',
  StepStatus: 'Failed',
  ...(reason === undefined ? {} : { FailureReason: reason }),
  Metadata: { Fail: { ErrorMessage: message } },
});
const succeeded: PipelineExecutionStep = {
  StepName: 'Check',
  StepStatus: 'Succeeded',
  Metadata: { Condition: { Outcome: 'False' } },
};

describe('why an execution failed, shown from its steps', () => {
  it("names the failed step and gives the step's own FailureReason", () => {
    expect(executionStatus('Failed', [succeeded, lambdaFailed])).toBe(
      'Failed (step Process: Lambda function threw: parameter Item must be a JSON list)',
    );
  });

  it("gives a Fail step's ErrorMessage when the step has no FailureReason", () => {
    expect(executionFailure([failStep('Nothing to fan out')])).toBe(
      'step Stop: Nothing to fan out',
    );
    expect(stepLine(failStep('Nothing to fan out'))).toMatch(
      /✖ Stop +Failed +reason: Nothing to fan out$/,
    );
  });

  it('says so for a Fail step with an empty message (SageMaker gives it no FailureReason)', () => {
    expect(executionFailure([failStep('')])).toBe('Fail step Stop, with no error message');
  });

  it('lists every failed step', () => {
    expect(executionFailure([lambdaFailed, succeeded, failStep('', 'stopped the run')])).toBe(
      'step Process: Lambda function threw: parameter Item must be a JSON list; step Stop: stopped the run',
    );
  });

  it('adds nothing to an execution that did not fail, or whose steps did not', () => {
    expect(executionStatus('Succeeded', [succeeded])).toBe('Succeeded');
    expect(executionStatus('Failed', [succeeded])).toBe('Failed');
    expect(executionFailure([])).toBeUndefined();
  });
});
