import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InputValidationError } from '../errors';
import { fitResponseBody } from '../http/fit-response-body';
import { header, readJsonBody } from '../http/request';
import { parseEvent } from '../validation';
import { fanOutRequestSchema, MAX_BATCH_KEY_LENGTH } from './request';
import type { FanOutResult } from './result';

/**
 * The batch key of a POST: the `Idempotency-Key` header, else the body's `batchKey`,
 * else a new random key (returned to the caller so it can resume). A body `batchKey` that
 * is not a string is returned as is, for the schema to reject: replacing it with a random
 * key would start the whole batch again on every re-send. `null` counts as absent.
 * @throws InputValidationError when the header and the body disagree or the header is too long.
 */
export const batchKeyOf = (event: APIGatewayProxyEventV2, body: unknown): unknown => {
  const fromHeader = header(event, 'idempotency-key');
  const fromBody =
    body !== null && typeof body === 'object' && !Array.isArray(body) && 'batchKey' in body
      ? (body as { batchKey: unknown }).batchKey
      : undefined;
  if (fromHeader !== undefined) {
    if (fromHeader === '' || fromHeader.length > MAX_BATCH_KEY_LENGTH) {
      throw new InputValidationError(
        [
          {
            field: 'Idempotency-Key',
            problem: `expected 1 to ${MAX_BATCH_KEY_LENGTH} characters, received ${fromHeader.length}`,
          },
        ],
        { subject: 'fan-out request' },
      );
    }
    if (fromBody !== undefined && fromBody !== fromHeader) {
      throw new InputValidationError(
        [
          {
            field: 'batchKey',
            problem: 'differs from the Idempotency-Key header; send one or make them equal',
          },
        ],
        { subject: 'fan-out request' },
      );
    }
    return fromHeader;
  }
  return fromBody === undefined || fromBody === null ? randomUUID() : fromBody;
};

/** Parses a POST into a request; the batch key comes from {@link batchKeyOf}. */
export const requestFromHttp = (event: APIGatewayProxyEventV2) => {
  const body = readJsonBody(event);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    // parseEvent words this error; the batch key is irrelevant then.
    return parseEvent(fanOutRequestSchema, body, 'fan-out request');
  }
  const batchKey = batchKeyOf(event, body);
  return parseEvent(fanOutRequestSchema, { ...body, batchKey }, 'fan-out request');
};

/**
 * The response to a POST: 200 when everything is started (or for a dry run), 207 when
 * some (pipeline, item) failed, 202 when some are deferred and none failed.
 */
export const resultResponse = (result: FanOutResult): APIGatewayProxyStructuredResultV2 => {
  const failed = result.failed.length;
  const statusCode = failed > 0 ? 207 : result.deferred > 0 ? 202 : 200;
  const message =
    statusCode === 200
      ? result.dryRun
        ? 'Dry run: nothing was started. The plan lists every execution that would be.'
        : 'Every execution is started.'
      : statusCode === 202
        ? `${result.deferred} executions are deferred. Re-send the same request with the same Idempotency-Key to start them; started ones are not started again.`
        : `${failed} executions failed${result.deferred > 0 ? ` and ${result.deferred} are deferred` : ''}. Re-sending the same request with the same Idempotency-Key retries them; started ones are not started again.`;
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': result.batchKey,
      ...(statusCode === 202 ? { 'retry-after': '5' } : {}),
    },
    body: fitResponseBody({ message, ...result }, [
      'executions',
      'deferredExecutions',
      'failed',
      'plan',
    ]),
  };
};
