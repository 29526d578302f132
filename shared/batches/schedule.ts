import * as v from 'valibot';
import { parseEvent } from '../validation';
import { type BatchRequest, batchKeySchema, batchRequestEntries, oneItemsSource } from './request';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const scheduledBatchObject = v.object({ ...batchRequestEntries, batchKey: batchKeySchema });
const scheduledBatchSchema = v.pipe(
  scheduledBatchObject,
  oneItemsSource<v.InferOutput<typeof scheduledBatchObject>>(),
);

/** A batch to submit from a schedule: the request, its key and who asked. */
export interface ScheduledBatch {
  request: BatchRequest;
  batchKey: string;
  createdBy: string;
}

/**
 * Turns what EventBridge delivers into a batch submission, as the fan-out's schedule does:
 * - a rule's event as is: the request is `detail`; its `batchKey` defaults to the event's
 *   `id`, the same across Lambda's retries of that event;
 * - a rule's constant or transformed input, or EventBridge Scheduler's input: the event is
 *   the request itself, with its `batchKey` (for example `<aws.scheduler.execution-id>`).
 * @throws InputValidationError listing every problem.
 */
export const scheduledBatchOf = (event: unknown): ScheduledBatch => {
  if (
    isRecord(event) &&
    typeof event['detail-type'] === 'string' &&
    typeof event.source === 'string' &&
    isRecord(event.detail)
  ) {
    const detail = event.detail;
    const batchKey = detail.batchKey ?? (typeof event.id === 'string' ? event.id : undefined);
    const { batchKey: key, ...request } = parseEvent(
      scheduledBatchSchema,
      { ...detail, batchKey },
      'batch request in detail',
    );
    const rule = Array.isArray(event.resources) ? event.resources[0] : undefined;
    return { request, batchKey: key, createdBy: typeof rule === 'string' ? rule : event.source };
  }
  const { batchKey, ...request } = parseEvent(scheduledBatchSchema, event, 'batch request');
  return { request, batchKey, createdBy: 'schedule' };
};
