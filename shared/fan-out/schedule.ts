import { parseEvent } from '../validation';
import { type FanOutRequest, fanOutRequestSchema } from './request';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * An EventBridge event as a rule delivers it unchanged (no input, input path or
 * transformer): the envelope documented for EventBridge events, request in `detail`.
 */
const isEventBridgeEnvelope = (
  event: Record<string, unknown>,
): event is Record<string, unknown> & { detail: Record<string, unknown> } =>
  typeof event['detail-type'] === 'string' &&
  typeof event.source === 'string' &&
  isRecord(event.detail);

/**
 * Turns what EventBridge delivers into a fan-out request:
 * - a rule's event as is: the request is `detail`; its `batchKey` defaults to the event's
 *   `id`, which stays the same across Lambda's retries of that event;
 * - a rule's constant or transformed input, or EventBridge Scheduler's input: the event
 *   is the request itself (the transformer or the schedule puts the batch key in, for
 *   example `<aws.scheduler.execution-id>`).
 * @throws InputValidationError listing every problem.
 */
export function requestFromScheduleEvent(event: unknown): FanOutRequest {
  if (isRecord(event) && isEventBridgeEnvelope(event)) {
    const detail = event.detail;
    const batchKey = detail.batchKey ?? (typeof event.id === 'string' ? event.id : undefined);
    return parseEvent(fanOutRequestSchema, { ...detail, batchKey }, 'fan-out request in detail');
  }
  return parseEvent(fanOutRequestSchema, event, 'fan-out request');
}
