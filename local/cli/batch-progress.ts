/**
 * `npm start`'s live view of batches: when a child of a batch changes status, the batch's counts
 * are read from the ledger (one read, as GET /batches/{batchId} does) and a line is printed when
 * they changed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbLedger } from '../../shared/batches/dynamodb-ledger';
import { parseChildDescription } from '../../shared/batches/identity';
import { countsOf } from '../../shared/batches/ledger';
import { type EventBus, EXECUTION_STATUS_CHANGE } from '../events';
import { progressBar } from './render';

export interface BatchProgressOptions {
  events: EventBus;
  dynamoDbEndpoint: string;
  tableName: string;
  region: string;
  out: (line: string) => void;
  /** How often changed batches are read again (default 500 ms). */
  everyMs?: number;
}

/** Starts the view; the returned function stops it. */
export function watchBatchProgress(options: BatchProgressOptions): () => void {
  const client = new DynamoDBClient({
    endpoint: options.dynamoDbEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const ledger = dynamoDbLedger(client, { tableName: options.tableName });
  const changed = new Set<string>();
  const shown = new Map<string, string>();
  const unsubscribe = options.events.subscribe((event) => {
    if (event['detail-type'] !== EXECUTION_STATUS_CHANGE) return;
    const child = parseChildDescription(event.detail.pipelineExecutionDescription);
    if (child) changed.add(child.batchId);
  });
  let reading = false;
  const timer = setInterval(() => {
    if (reading || changed.size === 0) return;
    reading = true;
    const batchIds = [...changed];
    changed.clear();
    void Promise.all(
      batchIds.map(async (batchId) => {
        const batch = await ledger.getBatch(batchId);
        if (!batch) return;
        const counts = countsOf(batch);
        const ended = counts.succeeded + counts.failed + counts.stopped;
        const line = `  batch ${batchId} ${batch.status.padEnd(9)} ${progressBar(ended, counts.total)}  running ${counts.running}, pending ${counts.pending}, succeeded ${counts.succeeded}, failed ${counts.failed}`;
        // A batch ends after its last child's event (and after writing its results): look again
        // until it says so, even when a look finds nothing new.
        if (batch.status === 'RUNNING') changed.add(batchId);
        if (shown.get(batchId) === line) return;
        shown.set(batchId, line);
        options.out(line);
      }),
    )
      .catch(() => undefined)
      .finally(() => {
        reading = false;
      });
  }, options.everyMs ?? 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
    client.destroy();
  };
}
