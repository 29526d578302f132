import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FieldProblem, InputValidationError } from '../errors';
import { fitResponseBody } from '../http/fit-response-body';
import { header, readJsonBody } from '../http/request';
import { parseEvent } from '../validation';
import { type FanOutRequest, fanOutRequestSchema, MAX_BATCH_KEY_LENGTH } from './request';
import type { FanOutResult } from './result';

/** The problem of a POST without its required `Idempotency-Key` header. */
const MISSING_KEY: FieldProblem = {
  field: 'Idempotency-Key',
  problem:
    'header required: send a key that identifies this fan-out (for example a UUID you keep), and the same key when you retry or resume it',
};

/**
 * The batch key of a POST: the `Idempotency-Key` header, required, so a client retrying
 * after a lost response always resumes the same batch. A body `batchKey` may repeat it.
 * @returns the key, or the problem of a missing header.
 * @throws InputValidationError when the header and the body disagree or the header is empty or too long.
 */
export function batchKeyOf(
  event: APIGatewayProxyEventV2,
  body: Record<string, unknown>,
): { key: string } | { problem: FieldProblem } {
  const fromHeader = header(event, 'idempotency-key');
  const fromBody = body.batchKey ?? undefined;
  if (fromHeader === undefined) return { problem: MISSING_KEY };
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
  return { key: fromHeader };
}

/**
 * Parses a POST into a request; the batch key comes from {@link batchKeyOf}. Without the
 * header the answer names it together with every other problem of the body.
 */
export function requestFromHttp(event: APIGatewayProxyEventV2): FanOutRequest {
  const body = readJsonBody(event);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    // parseEvent words this error; the batch key is irrelevant then.
    return parseEvent(fanOutRequestSchema, body, 'fan-out request');
  }
  const record = body as Record<string, unknown>;
  const batchKey = batchKeyOf(event, record);
  if ('key' in batchKey) {
    return parseEvent(
      fanOutRequestSchema,
      { ...record, batchKey: batchKey.key },
      'fan-out request',
    );
  }
  const problems: FieldProblem[] = [batchKey.problem];
  try {
    parseEvent(
      fanOutRequestSchema,
      { ...record, batchKey: record.batchKey ?? 'missing' },
      'fan-out request',
    );
  } catch (error) {
    if (!(error instanceof InputValidationError)) throw error;
    problems.push(...error.problems);
  }
  throw new InputValidationError(problems, { subject: 'fan-out request' });
}

/**
 * The response to a POST: 200 when everything is started (or for a dry run), 207 when
 * some (pipeline, item) failed, 202 when some are deferred and none failed.
 */
export function resultResponse(result: FanOutResult): APIGatewayProxyStructuredResultV2 {
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
}
