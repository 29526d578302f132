import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createEventBus, executionStatusEvent } from '../../../local/events';
import { PROJECT_ROOT } from '../../../local/invokers/catalog';
import type { InvokeRequest } from '../../../local/invokers/types';
import { createDelivery } from '../../../local/wiring/delivery';
import { startLocalDynamoDb } from '../../../local/wiring/dynamodb';
import { loadServerlessTemplate } from '../../../local/wiring/template';

const account = { region: 'us-east-1', accountId: '123456789012' };

const setup = async () => {
  const template = await loadServerlessTemplate({
    root: PROJECT_ROOT,
    params: { allowedPipelines: 'child-pipeline-1' },
  });
  const calls: InvokeRequest[] = [];
  const delivery = createDelivery({
    template,
    account,
    invoker: {
      description: 'recording',
      invoke: async (request) => {
        calls.push(request);
        return { ok: true, payload: { batchItemFailures: [] } };
      },
    },
    timeoutMs: () => 1_000,
  });
  return { template, delivery, calls };
};

const statusEvent = (pipeline: string, status: 'Executing' | 'Succeeded') =>
  executionStatusEvent(
    { ...account, account: account.accountId, now: new Date('2026-12-01T10:00:00Z') },
    {
      pipelineArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${pipeline}`,
      executionArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${pipeline}/execution/abc`,
      displayName: 'batch-0',
      startTime: new Date('2026-12-01T09:59:00Z'),
      current: status,
    },
  );

describe('delivery wired from serverless.yml', () => {
  it('sends ended children of allowed pipelines through BatchEventsQueue to batch-events as SQS messages', async () => {
    const { delivery, calls } = await setup();
    const events = createEventBus();
    delivery.listen(events);
    const ended = statusEvent('child-pipeline-1', 'Succeeded');
    events.publish(ended);
    events.publish(statusEvent('child-pipeline-1', 'Executing'));
    events.publish(statusEvent('other-pipeline', 'Succeeded'));
    await delivery.idle();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.functionArn).toBe('batch-events');
    const records = (calls[0]?.payload as SQSEvent | undefined)?.Records ?? [];
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]?.body ?? '')).toEqual(ended);
    expect(records[0]?.eventSourceARN).toBe('arn:aws:sqs:us-east-1:123456789012:BatchEventsQueue');
    delivery.close();
  });

  it('delivers a message to the consumer of a named queue, and runs the enabled schedules', async () => {
    const { delivery, calls } = await setup();
    delivery.deliverToQueue('BatchEventsQueue', '{"hello":1}');
    await delivery.idle();
    expect(calls.map((call) => call.functionArn)).toEqual(['batch-events']);
    expect(() => delivery.deliverToQueue('NoSuchQueue', '{}')).toThrow(/no queue NoSuchQueue/);
    await delivery.runSchedules();
    // batch-reconcile's schedule is enabled; the example schedules of batch-submit and fan-out-schedule are not.
    expect(calls.map((call) => call.functionArn)).toEqual(['batch-events', 'batch-reconcile']);
    expect(calls[1]?.payload).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
    });
    delivery.close();
  });

  it('creates the tables of serverless.yml in dynalite', async () => {
    const { template } = await setup();
    const dynamoDb = await startLocalDynamoDb(template, account);
    try {
      expect(dynamoDb.tables).toEqual(['BatchLedgerTable']);
    } finally {
      await dynamoDb.close();
    }
  });

  it('counts the requests dynalite answered by operation', async () => {
    const { template } = await setup();
    const dynamoDb = await startLocalDynamoDb(template, account);
    const client = new DynamoDBClient({
      endpoint: dynamoDb.endpoint,
      region: account.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const before = await dynamoDb.operations();
      const key = { pk: { S: 'counted' }, sk: { S: 'counted' } };
      await client.send(new PutItemCommand({ TableName: 'BatchLedgerTable', Item: key }));
      await client.send(new GetItemCommand({ TableName: 'BatchLedgerTable', Key: key }));
      await client.send(new GetItemCommand({ TableName: 'BatchLedgerTable', Key: key }));
      const after = await dynamoDb.operations();
      expect((after.PutItem ?? 0) - (before.PutItem ?? 0)).toBe(1);
      expect((after.GetItem ?? 0) - (before.GetItem ?? 0)).toBe(2);
      expect(await dynamoDb.requests()).toBe(Object.values(after).reduce((sum, n) => sum + n, 0));
    } finally {
      client.destroy();
      await dynamoDb.close();
    }
  });
});
