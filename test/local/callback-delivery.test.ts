import { describe, expect, it } from 'vitest';
import {
  callbackMessageBody,
  createCallbackDelivery,
  queueNameOfUrl,
} from '../../local/callback-delivery';
import type { CallbackMessage } from '../../local/engine/interpreter';

const message = (sqsQueueUrl: string | undefined): CallbackMessage => ({
  token: 'AbCdE12345',
  pipelineExecutionArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x',
  arguments: { stepName: 'RunBatch', items: '["a"]' },
  status: 'Executing',
  stepName: 'RunBatch',
  ...(sqsQueueUrl === undefined ? {} : { sqsQueueUrl }),
});

describe('callback delivery', () => {
  it('names the queue by the last segment of the queue URL', () => {
    expect(queueNameOfUrl('https://sqs.us-east-1.amazonaws.com/123456789012/my-callbacks')).toBe(
      'my-callbacks',
    );
    expect(queueNameOfUrl('https://sqs.us-east-1.amazonaws.com/123456789012/q/')).toBe('q');
    expect(queueNameOfUrl('not a url')).toBeUndefined();
    expect(queueNameOfUrl(undefined)).toBeUndefined();
  });

  it('sends SageMaker’s message fields to a consumed queue and leaves other queues alone', () => {
    const sent: Array<[string, string]> = [];
    const deliver = createCallbackDelivery({
      consumes: (name) => name === 'batch-callbacks',
      send: (name, body) => sent.push([name, body]),
    });
    expect(deliver(message('https://sqs.us-east-1.amazonaws.com/1/batch-callbacks'))).toBe(true);
    expect(deliver(message('https://sqs.us-east-1.amazonaws.com/1/approvals'))).toBe(false);
    expect(deliver(message(undefined))).toBe(false);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.[1] ?? '{}')).toEqual({
      token: 'AbCdE12345',
      pipelineExecutionArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x',
      arguments: { stepName: 'RunBatch', items: '["a"]' },
      status: 'Executing',
    });
    expect(callbackMessageBody({ ...message(undefined), status: 'Stopping' })).toContain(
      '"status":"Stopping"',
    );
  });
});
