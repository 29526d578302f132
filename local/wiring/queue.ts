/**
 * An SQS queue and its Lambda event source mapping, in memory: messages are received in batches
 * of up to `batchSize`, invisible for the visibility timeout while a batch is processed, deleted
 * when the function succeeds, kept (for redelivery once visible again) when it fails or lists
 * them in `batchItemFailures` (with `functionResponseType: ReportBatchItemFailures`), and moved
 * to the dead-letter queue when received more than `maxReceiveCount` times. The event and record
 * shapes are those of "Using Lambda with Amazon SQS" in the Lambda Developer Guide
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html), and partial batch responses
 * those of its "Handling errors for an SQS event source" page.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export interface QueuedMessage {
  messageId: string;
  body: string;
  sentAt: number;
  firstReceivedAt: number | undefined;
  receiveCount: number;
  /** Not received before this time (ms since the epoch). */
  visibleAt: number;
}

/** The function an `sqs` event points at, as its event source mapping calls it. */
export interface QueueConsumer {
  functionKey: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  /** Batches processed at once (`maximumConcurrency`). */
  maximumConcurrency: number;
  /** Invokes the function; `ok: false` means the whole batch failed. */
  invoke(event: SQSEvent): Promise<{ ok: true; payload: unknown } | { ok: false; error: string }>;
}

export interface QueueOptions {
  name: string;
  arn: string;
  region: string;
  /** How long a received message stays invisible (local mode shortens the queue's own). */
  visibilityTimeoutMs: number;
  maxReceiveCount?: number;
  deadLetterQueue?: LocalQueue;
  clock?: () => number;
  log?: (line: string) => void;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Which messages of a batch failed, from the function's partial batch response. */
const failedIds = (payload: unknown, batch: readonly QueuedMessage[]): Set<string> => {
  const failures =
    typeof payload === 'object' && payload !== null && 'batchItemFailures' in payload
      ? (payload as { batchItemFailures: unknown }).batchItemFailures
      : [];
  if (!Array.isArray(failures)) return new Set(batch.map((message) => message.messageId));
  const ids = new Set<string>();
  for (const failure of failures) {
    const id =
      typeof failure === 'object' && failure !== null && 'itemIdentifier' in failure
        ? (failure as { itemIdentifier: unknown }).itemIdentifier
        : undefined;
    // An identifier that is empty or names no message of the batch fails the whole batch.
    if (typeof id !== 'string' || !batch.some((message) => message.messageId === id)) {
      return new Set(batch.map((message) => message.messageId));
    }
    ids.add(id);
  }
  return ids;
};

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  private readonly options: QueueOptions;
  private readonly clock: () => number;
  private messages: QueuedMessage[] = [];
  private consumer: QueueConsumer | undefined;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Messages sent, deliveries, and messages moved to the dead-letter queue. */
  readonly stats = { sent: 0, received: 0, deleted: 0, deadLettered: 0, failedBatches: 0 };

  constructor(options: QueueOptions) {
    this.options = options;
    this.name = options.name;
    this.arn = options.arn;
    this.clock = options.clock ?? Date.now;
  }

  /** Attaches the function that polls this queue. */
  /** The function whose `sqs` event consumes this queue, if any. */
  get consumedBy(): string | undefined {
    return this.consumer?.functionKey;
  }

  attach(consumer: QueueConsumer): void {
    this.consumer = consumer;
    this.schedule();
  }

  /** SendMessage: the message is visible at once (no delay). */
  send(body: string): string {
    const messageId = randomUUID();
    this.messages.push({
      messageId,
      body,
      sentAt: this.clock(),
      firstReceivedAt: undefined,
      receiveCount: 0,
      visibleAt: this.clock(),
    });
    this.stats.sent += 1;
    this.schedule();
    return messageId;
  }

  /** Messages still in the queue (visible or not). */
  depth(): number {
    return this.messages.length;
  }

  /** A copy of the messages in the queue. */
  peek(): QueuedMessage[] {
    return this.messages.map((message) => ({ ...message }));
  }

  /** Resolves once the queue is empty and no batch is being processed (or when it closes). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private isIdle(): boolean {
    return this.closed || (this.messages.length === 0 && this.inFlight === 0) || !this.consumer;
  }

  private settleIdle(): void {
    if (this.isIdle()) for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /** Polls on the next turn, so messages sent together are received together. */
  private schedule(): void {
    if (this.scheduled || this.closed || !this.consumer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.poll();
    });
  }

  /**
   * Receives every batch the consumer has room for, in one pass over the queue (a deep queue is
   * walked once per poll, not once per batch), then sleeps until the next message becomes visible;
   * while every batch slot is busy, the end of a batch polls again.
   */
  private poll(): void {
    const consumer = this.consumer;
    if (this.closed || !consumer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock();
    const { maxReceiveCount, deadLetterQueue } = this.options;
    const kept: QueuedMessage[] = [];
    let batch: QueuedMessage[] = [];
    let nextVisible = Number.POSITIVE_INFINITY;
    const ready: QueuedMessage[][] = [];
    const dispatch = () => {
      this.inFlight += 1;
      this.stats.received += batch.length;
      ready.push(batch);
      batch = [];
    };
    for (const message of this.messages) {
      const room = this.inFlight < consumer.maximumConcurrency;
      if (!room || message.visibleAt > now) {
        kept.push(message);
        // A visible message waiting for room is polled again when a batch ends (process()).
        if (message.visibleAt > now) nextVisible = Math.min(nextVisible, message.visibleAt);
        continue;
      }
      if (maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount) {
        // Its next receive would exceed maxReceiveCount: SQS moves it to the dead-letter queue.
        this.stats.deadLettered += 1;
        deadLetterQueue?.send(message.body);
        this.options.log?.(
          `${this.name}: message ${message.messageId} moved to the dead-letter queue`,
        );
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      nextVisible = Math.min(nextVisible, message.visibleAt);
      kept.push(message);
      batch.push(message);
      if (batch.length >= consumer.batchSize) dispatch();
    }
    if (batch.length > 0) dispatch();
    this.messages = kept;
    for (const received of ready) void this.process(consumer, received);
    this.wakeAt(nextVisible);
    this.settleIdle();
  }

  private wakeAt(next: number): void {
    if (this.closed || this.messages.length === 0 || this.timer || !Number.isFinite(next)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.poll();
      },
      Math.max(0, next - this.clock()),
    );
  }

  private remove(messageId: string): void {
    const at = this.messages.findIndex((message) => message.messageId === messageId);
    if (at >= 0) this.messages.splice(at, 1);
  }

  private async process(consumer: QueueConsumer, batch: QueuedMessage[]): Promise<void> {
    try {
      const result = await consumer.invoke({
        Records: batch.map((message) => this.record(message)),
      });
      let failed: Set<string>;
      if (!result.ok) {
        failed = new Set(batch.map((message) => message.messageId));
        this.options.log?.(`${this.name}: ${consumer.functionKey} failed: ${result.error}`);
      } else {
        failed = consumer.reportBatchItemFailures ? failedIds(result.payload, batch) : new Set();
      }
      if (failed.size > 0) this.stats.failedBatches += 1;
      for (const message of batch) {
        if (!failed.has(message.messageId)) {
          this.remove(message.messageId);
          this.stats.deleted += 1;
        }
      }
    } finally {
      this.inFlight -= 1;
      this.schedule();
      this.settleIdle();
    }
  }

  private record(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        // EventBridge sends as its service principal; locally any sender is "local".
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.options.region,
    };
  }
}
