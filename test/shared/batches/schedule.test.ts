import { describe, expect, it } from 'vitest';
import { scheduledBatchOf } from '../../../shared/batches/schedule';
import { InputValidationError } from '../../../shared/errors';

describe('scheduledBatchOf', () => {
  it('takes a rule event as is: the request in detail, keyed by the event id', () => {
    expect(
      scheduledBatchOf({
        id: 'event-1',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        resources: ['arn:aws:events:us-east-1:123456789012:rule/daily'],
        detail: { pipelines: ['child-pipeline-1'], items: '["a","b"]' },
      }),
    ).toEqual({
      request: { pipelines: ['child-pipeline-1'], items: ['a', 'b'] },
      batchKey: 'event-1',
      createdBy: 'arn:aws:events:us-east-1:123456789012:rule/daily',
    });
  });

  it('takes Scheduler or transformed input as the request, with its batchKey', () => {
    expect(
      scheduledBatchOf({ batchKey: 'run-7', pipelines: ['child-pipeline-1'], items: ['a'] }),
    ).toMatchObject({ batchKey: 'run-7', createdBy: 'schedule' });
  });

  it('names the missing batch key', () => {
    expect(() => scheduledBatchOf({ pipelines: ['child-pipeline-1'], items: ['a'] })).toThrow(
      InputValidationError,
    );
    expect(() => scheduledBatchOf({ pipelines: ['child-pipeline-1'], items: ['a'] })).toThrow(
      /batchKey/,
    );
  });
});
