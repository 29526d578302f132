/**
 * `GET /_local/events`: the runtime's status events (EventBridge-shaped, see ../events.ts) as
 * server-sent events, so the console colours steps as they change without polling.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus, PipelineEvent } from '../events';

/** A client that stops reading is dropped once this much is queued for it. */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies and idle timers from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting (the SSE `retry` field). */
const RETRY_MS = 1000;

function matches(event: PipelineEvent, executionArn: string | null): boolean {
  return executionArn === null || event.detail.pipelineExecutionArn === executionArn;
}

/**
 * Streams every event, or with `?executionArn=<arn>` only that execution's. Each message is
 * `event: <detail-type>`, `id: <event id>`, `data: <the event as JSON>`.
 */
export function streamEvents(
  events: EventBus,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
  const executionArn = query.get('executionArn');
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  response.write(`retry: ${RETRY_MS}\n: connected\n\n`);
  const write = (text: string) => {
    if (response.writableLength > MAX_QUEUED_BYTES) {
      response.destroy();
      return;
    }
    response.write(text);
  };
  const unsubscribe = events.subscribe((event) => {
    if (!matches(event, executionArn)) return;
    write(`event: ${event['detail-type']}\nid: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  response.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
