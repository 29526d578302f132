import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../local/wiring/queue';

const queues = () => {
  const deadLetters = new LocalQueue({
    name: 'Dlq',
    arn: 'arn:aws:sqs:us-east-1:123456789012:Dlq',
    region: 'us-east-1',
    visibilityTimeoutMs: 20,
  });
  const queue = new LocalQueue({
    name: 'Main',
    arn: 'arn:aws:sqs:us-east-1:123456789012:Main',
    region: 'us-east-1',
    visibilityTimeoutMs: 20,
    maxReceiveCount: 3,
    deadLetterQueue: deadLetters,
  });
  return { queue, deadLetters };
};

describe('LocalQueue', () => {
  it('delivers in batches shaped as SQS events and deletes what succeeded', async () => {
    const { queue } = queues();
    const events: SQSEvent[] = [];
    queue.attach({
      functionKey: 'f',
      batchSize: 2,
      reportBatchItemFailures: true,
      maximumConcurrency: 1,
      invoke: async (event) => {
        events.push(event);
        return { ok: true, payload: { batchItemFailures: [] } };
      },
    });
    for (const body of ['a', 'b', 'c']) queue.send(body);
    await queue.idle();
    expect(events.map((event) => event.Records.map((record) => record.body))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
    expect(events[0]?.Records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:Main',
      awsRegion: 'us-east-1',
      md5OfBody: '0cc175b9c0f1b6a831c399e269772661',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(queue.depth()).toBe(0);
  });

  it('redelivers only the reported failures, then moves them to the dead-letter queue', async () => {
    const { queue, deadLetters } = queues();
    const received: string[] = [];
    queue.attach({
      functionKey: 'f',
      batchSize: 10,
      reportBatchItemFailures: true,
      maximumConcurrency: 1,
      invoke: async (event) => {
        received.push(
          ...event.Records.map(
            (record) => `${record.body}#${record.attributes.ApproximateReceiveCount}`,
          ),
        );
        const poison = event.Records.filter((record) => record.body === 'poison');
        return {
          ok: true,
          payload: {
            batchItemFailures: poison.map((record) => ({ itemIdentifier: record.messageId })),
          },
        };
      },
    });
    queue.send('fine');
    queue.send('poison');
    await queue.idle();
    expect(received).toEqual(['fine#1', 'poison#1', 'poison#2', 'poison#3']);
    expect(deadLetters.peek().map((message) => message.body)).toEqual(['poison']);
    expect(queue.stats.deadLettered).toBe(1);
  });

  it('redelivers the whole batch when the function fails', async () => {
    const { queue } = queues();
    let calls = 0;
    queue.attach({
      functionKey: 'f',
      batchSize: 10,
      reportBatchItemFailures: true,
      maximumConcurrency: 1,
      invoke: async () => {
        calls += 1;
        return calls === 1 ? { ok: false, error: 'crashed' } : { ok: true, payload: null };
      },
    });
    queue.send('a');
    queue.send('b');
    await queue.idle();
    expect(calls).toBe(2);
    expect(queue.stats).toMatchObject({ received: 4, deleted: 2, failedBatches: 1 });
  });
});
