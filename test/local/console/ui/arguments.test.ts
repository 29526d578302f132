import { describe, expect, it } from 'vitest';
import type { ExecutionStep } from '../../../../local/console/ui/api';
import { evaluateArguments } from '../../../../local/console/ui/arguments';
import { invalidOutput } from '../../../../local/console/ui/components/callbacks';
import * as eventTypes from '../../../../local/console/ui/event-types';
import { pipelineGraph } from '../../../../local/console/ui/graph';
import * as events from '../../../../local/events';

const graph = pipelineGraph({
  Version: '2020-12-01',
  Parameters: [
    { Name: 'Size', Type: 'Integer', DefaultValue: 2 },
    { Name: 'Name', Type: 'String' },
  ],
  Steps: [
    {
      Name: 'First',
      Type: 'Lambda',
      OutputParameters: [
        { OutputName: 'count', OutputType: 'Integer' },
        { OutputName: 'ok', OutputType: 'Boolean' },
      ],
    },
    {
      Name: 'Second',
      Type: 'Lambda',
      Arguments: {
        size: { Get: 'Parameters.Size' },
        label: {
          'Std:Join': {
            On: '-',
            Values: [{ Get: 'Parameters.Name' }, { Get: "Steps.First.OutputParameters['count']" }],
          },
        },
        ok: { Get: "Steps.First.OutputParameters['ok']" },
        id: { Get: 'Execution.PipelineExecutionId' },
        pipeline: { Get: 'Execution.PipelineName' },
        started: { Get: 'Execution.StartDateTime' },
        now: { Get: 'Execution.CurrentDateTime' },
        literal: { nested: [1, 'two'] },
      },
    },
  ],
});

const executionArn =
  'arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo/execution/abc123def456';
const firstDone: ExecutionStep = {
  StepName: 'First',
  StepStatus: 'Succeeded',
  Metadata: {
    Lambda: {
      OutputParameters: [
        { Name: 'count', Value: '3' },
        { Name: 'ok', Value: 'true' },
      ],
    },
  },
};

const context = (steps: ExecutionStep[]) => ({
  graph,
  parameters: [
    { Name: 'Size', Value: '2' },
    { Name: 'Name', Value: 'job' },
  ],
  steps,
  executionArn,
  pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo',
  startTime: new Date('2026-01-02T03:04:05.000Z'),
});

describe('console: evaluated arguments', () => {
  it('evaluates parameters (typed), step outputs (typed), Std:Join and execution variables as the runtime does', () => {
    const second = graph.nodes.find((n) => n.name === 'Second');
    const result = evaluateArguments(second?.step.Arguments, context([firstDone]));
    expect(result.kind).toBe('fields');
    const fields = Object.fromEntries(result.kind === 'fields' ? result.fields : []);
    expect(fields.size).toEqual({ value: 2 });
    expect(fields.label).toEqual({ value: 'job-3' });
    expect(fields.ok).toEqual({ value: true });
    expect(fields.id).toEqual({ value: 'abc123def456' });
    expect(fields.pipeline).toEqual({ value: 'demo' });
    expect(fields.started).toEqual({ value: '2026-01-02T03:04:05.000Z' });
    expect(fields.literal).toEqual({ value: { nested: [1, 'two'] } });
    expect(fields.now).toMatchObject({
      reason: expect.stringMatching(/CurrentDateTime is not recorded/),
    });
  });

  it('shows an output a step has not reported as not evaluated, with the reference', () => {
    const second = graph.nodes.find((n) => n.name === 'Second');
    const result = evaluateArguments(second?.step.Arguments, context([]));
    const fields = Object.fromEntries(result.kind === 'fields' ? result.fields : []);
    expect(fields.ok).toEqual({
      expression: { Get: "Steps.First.OutputParameters['ok']" },
      reason: "step 'First' has not reported output 'ok'",
    });
    expect(fields.size).toEqual({ value: 2 });
  });

  it('evaluates an expression given as the whole value at once', () => {
    expect(evaluateArguments({ Get: 'Parameters.Name' }, context([]))).toEqual({
      kind: 'whole',
      result: { value: 'job' },
    });
  });
});

describe('console: callback outputs', () => {
  const outputs = [
    { OutputName: 'approved', OutputType: 'Boolean' },
    { OutputName: 'score', OutputType: 'Integer' },
    { OutputName: 'ratio', OutputType: 'Float' },
    { OutputName: 'note', OutputType: 'String' },
  ];

  it('accepts values of the declared types, an empty String included', () => {
    expect(
      invalidOutput(outputs, { approved: 'false', score: '7', ratio: '0.5', note: '' }),
    ).toBeUndefined();
  });

  it('names the first output that is not of its type', () => {
    expect(invalidOutput(outputs, { approved: 'true', score: '7.5', ratio: '1', note: '' })).toBe(
      "score must be an Integer, got '7.5'",
    );
    expect(invalidOutput(outputs, { approved: 'true', score: '', ratio: '1', note: '' })).toBe(
      'score needs an Integer value',
    );
    expect(invalidOutput(outputs, { approved: 'yes', score: '1', ratio: '1', note: '' })).toBe(
      "approved must be a Boolean, got 'yes'",
    );
  });
});

describe('console: event names', () => {
  it('match the runtime events the page listens for', () => {
    expect(eventTypes.EXECUTION_STATUS_CHANGE).toBe(events.EXECUTION_STATUS_CHANGE);
    expect(eventTypes.STEP_STATUS_CHANGE).toBe(events.STEP_STATUS_CHANGE);
  });
});
