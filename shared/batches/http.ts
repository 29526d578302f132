import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import { InputValidationError } from '../errors';
import { MAX_BATCH_KEY_LENGTH } from '../fan-out/request';
import { HttpProblemError } from '../http/problem-details';
import { batchIdFromPath, readJsonBody } from '../http/request';
import { parseEvent } from '../validation';
import type { BatchDeps } from './deps';
import { BatchConflictError, InvalidPageTokenError } from './errors';
import { fanInView, postRedrive, postStop } from './http-fan-in';
import {
  type BatchRecord,
  countsOf,
  EXECUTION_STATUSES,
  type ExecutionRecord,
  type ExecutionStatus,
} from './ledger';
import { batchRequestSchema } from './request';
import { SourceAccessError, SourceChangedError, SourceNotFoundError } from './sources/errors';
import { submitBatch } from './submit';

/** Executions per page of `GET /batches/{batchId}/executions`. */
export const EXECUTIONS_PAGE_SIZE = 100;

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const headers = event.headers ?? {};
  const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
};

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The answer every batch route gives for a batch. */
const summary = (batch: BatchRecord) => ({
  batchId: batch.batchId,
  status: batch.status,
  counts: countsOf(batch),
});

/** The caller, as API Gateway's IAM authorizer names it. */
const callerOf = (event: APIGatewayProxyEventV2): string => {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } };
  const arn = context.authorizer?.iam?.userArn;
  return typeof arn === 'string' && arn !== '' ? arn : 'unknown';
};

const idempotencyKey = (event: APIGatewayProxyEventV2): string => {
  const key = header(event, 'idempotency-key');
  if (key === undefined || key === '' || key.length > MAX_BATCH_KEY_LENGTH) {
    throw new InputValidationError(
      [
        {
          field: 'Idempotency-Key',
          problem:
            key === undefined
              ? 'the header is required: send a key of your choosing (a UUID, say) and the same key when you retry'
              : `expected 1 to ${MAX_BATCH_KEY_LENGTH} characters, received ${key.length}`,
        },
      ],
      { subject: 'batch request' },
    );
  }
  return key;
};

/** POST /batches: 201 for a new batch, 200 for a repeat, 409 for the same key with another request. */
const postBatch = async (
  event: APIGatewayProxyEventV2,
  deps: BatchDeps,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const body = readJsonBody(event);
  const batchKey = idempotencyKey(event);
  const request = parseEvent(batchRequestSchema, body, 'batch request');
  try {
    const { created, batch } = await submitBatch(deps, {
      request,
      batchKey,
      createdBy: callerOf(event),
    });
    return json(created ? 201 : 200, summary(batch), {
      location: `/batches/${batch.batchId}`,
      'idempotency-key': batchKey,
    });
  } catch (error) {
    if (error instanceof BatchConflictError) {
      throw new HttpProblemError(409, 'idempotency-key-reused', 'Conflict', error.message, {
        cause: error,
      });
    }
    if (error instanceof SourceNotFoundError) {
      throw new InputValidationError([{ field: 'itemsFrom.uri', problem: error.message }], {
        subject: 'batch request',
        cause: error,
      });
    }
    if (error instanceof SourceAccessError) {
      throw new HttpProblemError(403, 'source-access-denied', 'Forbidden', error.message, {
        cause: error,
      });
    }
    if (error instanceof SourceChangedError) {
      throw new HttpProblemError(409, 'source-changed', 'Conflict', error.message, {
        cause: error,
      });
    }
    throw error;
  }
};

const readBatch = async (deps: BatchDeps, batchId: string): Promise<BatchRecord> => {
  const batch = await deps.ledger.getBatch(batchId);
  if (batch === undefined) {
    throw new HttpProblemError(404, 'batch-not-found', 'Batch not found', `No batch ${batchId}.`);
  }
  return batch;
};

/** GET /batches/{batchId}: one ledger read, whatever the batch's size. */
const getBatch = async (event: APIGatewayProxyEventV2, deps: BatchDeps) => {
  const batch = await readBatch(deps, batchIdFromPath(event));
  return json(200, {
    ...summary(batch),
    createdAt: batch.createdAt,
    createdBy: batch.createdBy,
    maxConcurrentExecutions: batch.maxConcurrentExecutions,
    ...(batch.finishedAt === undefined ? {} : { finishedAt: batch.finishedAt }),
    ...fanInView(batch),
  });
};

const statusQuery = v.optional(v.picklist(EXECUTION_STATUSES));

/** A started child as the batch API and the local console show it. */
export const executionView = (record: ExecutionRecord) => ({
  pipeline: record.pipeline,
  index: record.itemIndex,
  status: record.status,
  attempt: record.attempt,
  ...(record.executionArn === undefined ? {} : { executionArn: record.executionArn }),
  ...(record.failureReason === undefined ? {} : { failureReason: record.failureReason }),
});

/** GET /batches/{batchId}/executions?status=&nextToken=: the started children, a page at a time. */
const getExecutions = async (event: APIGatewayProxyEventV2, deps: BatchDeps) => {
  const batchId = batchIdFromPath(event);
  const query = event.queryStringParameters ?? {};
  const status = v.safeParse(statusQuery, query.status === '' ? undefined : query.status);
  if (!status.success) {
    throw new InputValidationError(
      [
        {
          field: 'status',
          problem: `expected one of ${EXECUTION_STATUSES.join(', ')}, received ${JSON.stringify(String(query.status).slice(0, 60))}`,
        },
      ],
      { subject: 'query' },
    );
  }
  await readBatch(deps, batchId);
  try {
    const page = await deps.ledger.listExecutions(batchId, {
      limit: EXECUTIONS_PAGE_SIZE,
      ...(status.output === undefined ? {} : { status: status.output as ExecutionStatus }),
      ...(query.nextToken === undefined || query.nextToken === ''
        ? {}
        : { nextToken: query.nextToken }),
    });
    return json(200, {
      batchId,
      executions: page.records.map(executionView),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    });
  } catch (error) {
    if (error instanceof InvalidPageTokenError) {
      throw new InputValidationError(
        [
          {
            field: 'nextToken',
            problem: 'is not a token a previous page of this listing returned',
          },
        ],
        { subject: 'query', cause: error },
      );
    }
    throw error;
  }
};

/** Routes an HTTP API request to its batch route. */
export const routeBatchRequest = (
  event: APIGatewayProxyEventV2,
  deps: BatchDeps,
): Promise<APIGatewayProxyStructuredResultV2> => {
  switch (event.routeKey) {
    case 'POST /batches':
      return postBatch(event, deps);
    case 'GET /batches/{batchId}':
      return getBatch(event, deps);
    case 'GET /batches/{batchId}/executions':
      return getExecutions(event, deps);
    case 'POST /batches/{batchId}/redrive':
      return postRedrive(deps, batchIdFromPath(event));
    case 'POST /batches/{batchId}/stop':
      return postStop(deps, batchIdFromPath(event));
    default:
      throw new HttpProblemError(
        404,
        'not-found',
        'Not Found',
        `No route ${JSON.stringify(String(event.routeKey).slice(0, 60))}; use POST /batches, GET /batches/{batchId}, GET /batches/{batchId}/executions, POST /batches/{batchId}/redrive or POST /batches/{batchId}/stop`,
      );
  }
};
