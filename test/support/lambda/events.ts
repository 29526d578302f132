import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context, SQSRecord } from 'aws-lambda';

const eventsDir = resolve(import.meta.dirname, '../../..', 'events');

/** Loads `events/<name>.json`, a fresh copy on every call so tests cannot leak edits. */
export const loadEvent = <T = Record<string, unknown>>(name: string): T =>
  structuredClone(JSON.parse(readFileSync(resolve(eventsDir, `${name}.json`), 'utf8')) as T);

/** A Lambda context for invoking handlers in tests. */
export const lambdaContext = (overrides: Partial<Context> = {}): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: '2026/11/29/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 600_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
  ...overrides,
});

/** An SQS record of queue `queue` in us-east-1, as an SQS event source hands it to a function. */
export const sqsRecord = (queue: string, messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: {} as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
  awsRegion: 'us-east-1',
});
