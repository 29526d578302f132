import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../../local/index';
import { create, setup, startAndWait } from '../../support/local/api';
import { waitFor } from '../../support/local/runtime';

describe('API: protocol', () => {
  const post = (url: string, target: string | undefined, body: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        ...(target ? { 'x-amz-target': target } : {}),
      },
      body,
    });

  it('answers unknown operations, malformed JSON, other paths and oversized bodies with JSON errors', async () => {
    const { local } = await setup();
    const unknown = await post(local.url, 'SageMaker.CreateTrainingJob', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const noTarget = await post(local.url, undefined, '{}');
    expect(((await noTarget.json()) as { __type: string }).__type).toBe(
      'UnknownOperationException',
    );
    const malformed = await post(local.url, 'SageMaker.ListPipelines', '{"oops"');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');
    const wrongType = await post(local.url, 'SageMaker.ListPipelines', '{"MaxResults":"ten"}');
    expect(((await wrongType.json()) as { __type: string }).__type).toBe('SerializationException');
    const get = await fetch(`${local.url}/`);
    expect(get.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const huge = await post(
      local.url,
      'SageMaker.ListPipelines',
      `{"x":"${'a'.repeat(5 * 1024 * 1024)}"}`,
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { __type: string }).__type).toBe('ValidationException');
    await expect(local.runtime.handle('constructor', {})).rejects.toMatchObject({
      type: 'UnknownOperationException',
    });
    const health = await fetch(`${local.url}/_local/health`);
    expect(await health.json()).toEqual({ ok: true });
  });

  it('emits EventBridge-shaped execution and step status events to subscribers and event targets', async () => {
    const targetEvents: unknown[] = [];
    const { local, client } = await setup(
      { 'on-event': (event) => targetEvents.push(event) },
      { eventTargets: ['arn:aws:lambda:us-east-1:123456789012:function:on-event'] },
    );
    const events: PipelineEvent[] = [];
    local.runtime.events.subscribe((event) => events.push(event));
    await create(client, 'p');
    const { arn } = await startAndWait(local, client, {
      PipelineName: 'p',
      PipelineExecutionDisplayName: 'evt',
    });
    const pipelineArn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p';
    const executionEvents = events.filter(
      (e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Status Change',
    );
    expect(executionEvents.map((e) => e.detail.currentPipelineExecutionStatus)).toEqual([
      'Executing',
      'Succeeded',
    ]);
    expect(executionEvents[1]).toMatchObject({
      version: '0',
      source: 'aws.sagemaker',
      account: '123456789012',
      region: 'us-east-1',
      resources: [pipelineArn, arn],
      detail: {
        pipelineExecutionDisplayName: 'evt',
        currentPipelineExecutionStatus: 'Succeeded',
        previousPipelineExecutionStatus: 'Executing',
        pipelineArn,
        pipelineExecutionArn: arn,
      },
    });
    expect(executionEvents[1]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const stepEvents = events.filter(
      (e) => e['detail-type'] === 'SageMaker Model Building Pipeline Execution Step Status Change',
    );
    expect(stepEvents.map((e) => e.detail.currentStepStatus)).toEqual([
      'Starting',
      'Executing',
      'Succeeded',
    ]);
    expect(stepEvents[2]?.detail).toMatchObject({
      stepName: 'only',
      stepType: 'Lambda',
      previousStepStatus: 'Executing',
      metadata: { lambda: { arn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' } },
      pipelineExecutionArn: arn,
    });
    await waitFor(() => targetEvents.length === events.length, 5_000, 'event target deliveries');
  });
});
