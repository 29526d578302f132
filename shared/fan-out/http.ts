import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type FieldProblem, InputValidationError } from '../errors';
import { type PIPELINE_EXECUTION_STATUSES, PIPELINE_NAME_OR_ARN_PATTERN } from '../limits';
import { logger } from '../logger';
import { parseEvent } from '../validation';
import { type AllowList, assertPipelinesAllowed } from './allow-list';
import { findBatchExecutions } from './batch-executions';
import { errorName } from './classify';
import { PipelineNotAllowedError } from './errors';
import { BATCH_ID_PATTERN } from './identity';
import { fanOutRequestSchema, MAX_BATCH_KEY_LENGTH, MAX_PIPELINES } from './request';
import type { FanOutResult } from './result';
import type { FanOutSageMaker } from './sagemaker';

/** Largest request body accepted: 1 MB (our limit; an HTTP API itself takes up to 10 MB). */
export const MAX_BODY_BYTES = 1_048_576;
/**
 * A synchronous Lambda response is at most 6 MB (Lambda quotas, "Invocation payload");
 * bodies past this are shortened (see {@link fitResponseBody}).
 */
export const MAX_RESPONSE_BYTES = 5_000_000;
/** Entries kept per list when a response body must be shortened. */
const SHORTENED_LIST_LENGTH = 1_000;

/**
 * A list of a response body that may be shortened: a key of the body, or `{ within, list }`
 * for the list at key `list` in each entry of the body's list `within`; those lists share
 * the entries kept.
 */
export type ShortenedList = string | { readonly within: string; readonly list: string };

/** `body` with each of `lists` cut to `keep` entries and `<list>Omitted` counting the rest. */
const shortenLists = (
  body: object,
  lists: readonly ShortenedList[],
  keep: number,
): Record<string, unknown> => {
  const shortened: Record<string, unknown> = { ...body };
  for (const list of lists) {
    if (typeof list === 'string') {
      Object.assign(shortened, shortenList(shortened, list, keep));
      continue;
    }
    const entries = shortened[list.within];
    if (!Array.isArray(entries) || entries.length === 0) continue;
    const share = keep === 0 ? 0 : Math.max(1, Math.floor(keep / entries.length));
    shortened[list.within] = entries.map((entry: unknown) =>
      entry !== null && typeof entry === 'object'
        ? { ...entry, ...shortenList(entry as Record<string, unknown>, list.list, share) }
        : entry,
    );
  }
  return shortened;
};

/** The keys that cut `record[name]` to `keep` entries, counting the rest in `<name>Omitted`. */
const shortenList = (record: Record<string, unknown>, name: string, keep: number) => {
  const list = record[name];
  if (!Array.isArray(list) || list.length <= keep) return {};
  const omitted = record[`${name}Omitted`];
  return {
    [name]: list.slice(0, keep),
    [`${name}Omitted`]: (typeof omitted === 'number' ? omitted : 0) + list.length - keep,
  };
};

/**
 * A response body as JSON of at most `budget` bytes: when it is larger, its `lists` are
 * cut to {@link SHORTENED_LIST_LENGTH} entries, then halved until it fits, and
 * `<list>Omitted` says how many each left out (entries can be large: a plan's rendered
 * parameters). `maxEntries` cuts the lists even when the body fits.
 */
export const fitResponseBody = (
  body: object,
  lists: readonly ShortenedList[],
  { budget = MAX_RESPONSE_BYTES, maxEntries = Number.POSITIVE_INFINITY } = {},
): string => {
  for (let keep = maxEntries; ; ) {
    const text = JSON.stringify(shortenLists(body, lists, keep));
    if (keep === 0 || Buffer.byteLength(text) <= budget) return text;
    keep = keep > SHORTENED_LIST_LENGTH ? SHORTENED_LIST_LENGTH : Math.floor(keep / 2);
  }
};
/** Pages of ListPipelineExecutions read per pipeline for GET (100 executions each). */
export const MAX_STATUS_PAGES = 100;

const PROBLEM_TYPE_BASE = 'urn:sagemaker-pipeline-lambdas:problem:';

/** An RFC 9457 problem detail. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: readonly FieldProblem[];
  /** Problems left out of `errors` to keep the response within Lambda's limit. */
  errorsOmitted?: number;
  requestId?: string;
}

/** An error that is already an HTTP answer: its detail is safe to show the client. */
export class HttpProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly problemType: string;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = 'HttpProblemError';
    this.status = status;
    this.title = title;
    this.problemType = `${PROBLEM_TYPE_BASE}${slug}`;
  }
}

/**
 * Maps any error to a problem. Client errors say what is wrong; a 5xx says only that
 * something failed on our side, with the request id to find it in the logs.
 */
export const toProblem = (error: unknown, requestId?: string): Problem => {
  if (error instanceof InputValidationError) {
    return {
      type: `${PROBLEM_TYPE_BASE}invalid-request`,
      title: 'Invalid request',
      status: 400,
      detail: error.message,
      errors: error.problems,
    };
  }
  if (error instanceof PipelineNotAllowedError) {
    return {
      type: `${PROBLEM_TYPE_BASE}pipeline-not-allowed`,
      title: 'Pipeline not allowed',
      status: 403,
      detail: error.message,
    };
  }
  if (error instanceof HttpProblemError && error.status < 500) {
    return {
      type: error.problemType,
      title: error.title,
      status: error.status,
      detail: error.message,
    };
  }
  if (error instanceof HttpProblemError) {
    return {
      type: error.problemType,
      title: error.title,
      status: error.status,
      detail: `${error.title}; retry later.`,
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'The request could not be processed because of an internal error.',
    ...(requestId === undefined ? {} : { requestId }),
  };
};

/** A problem as an HTTP API response. */
export const problemResponse = (problem: Problem): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: {
    'content-type': 'application/problem+json',
    ...(problem.status === 503 ? { 'retry-after': '5' } : {}),
  },
  body: fitResponseBody(problem, ['errors'], { maxEntries: SHORTENED_LIST_LENGTH }),
});

/** middy middleware: every error becomes an `application/problem+json` response. */
export const problemDetails = (): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
> => ({
  onError: (request) => {
    const error = request.error;
    const problem = toProblem(error, request.context.awsRequestId);
    if (problem.status >= 500) logger.error('Request failed', { error: error ?? undefined });
    else
      logger.warn('Rejected request', {
        status: problem.status,
        detail: problem.detail.slice(0, 500),
      });
    request.response = problemResponse(problem);
  },
});

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const headers = event.headers ?? {};
  // HTTP API lowercases header names in payload 2.0; look the others up case-insensitively too.
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
};

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Reads a POST body as a JSON object: checks the content type (415), the size (413),
 * the encoding and the JSON syntax (400).
 */
export const readJsonBody = (event: APIGatewayProxyEventV2): unknown => {
  const contentType = header(event, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new HttpProblemError(
      415,
      'unsupported-media-type',
      'Unsupported Media Type',
      `Send the request as JSON with Content-Type: application/json; received ${contentType === undefined ? 'no Content-Type' : JSON.stringify(contentType.slice(0, 60))}`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpProblemError(
      413,
      'content-too-large',
      'Content Too Large',
      `The body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} bytes (1 MB) are accepted. Pass fewer items per request.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new HttpProblemError(
      400,
      'malformed-body',
      'Malformed body',
      'The body is not valid UTF-8.',
      {
        cause,
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpProblemError(
      400,
      'malformed-body',
      'Malformed body',
      `The body is not valid JSON: ${cause instanceof Error ? cause.message.slice(0, 200) : 'parse error'}`,
      { cause },
    );
  }
};

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

type Status = (typeof PIPELINE_EXECUTION_STATUSES)[number];
const emptyCounts = (): Record<Status, number> => ({
  Executing: 0,
  Stopping: 0,
  Stopped: 0,
  Failed: 0,
  Succeeded: 0,
});

/** The `pipelines` query parameter of a GET: comma-separated names or ARNs. */
const pipelinesQuery = (event: APIGatewayProxyEventV2): string[] => {
  const value = event.queryStringParameters?.pipelines;
  const pipelines = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const problems: FieldProblem[] = [];
  if (pipelines.length === 0 || pipelines.length > MAX_PIPELINES) {
    problems.push({
      field: 'pipelines',
      problem: `expected 1 to ${MAX_PIPELINES} comma-separated pipeline names in the query (?pipelines=a,b), received ${pipelines.length}`,
    });
  }
  pipelines.forEach((pipeline, i) => {
    if (!PIPELINE_NAME_OR_ARN_PATTERN.test(pipeline)) {
      problems.push({
        field: `pipelines[${i}]`,
        problem: `expected a pipeline name or ARN, received ${JSON.stringify(pipeline.slice(0, 60))}`,
      });
    }
  });
  if (problems.length > 0) throw new InputValidationError(problems, { subject: 'query' });
  return pipelines;
};

/**
 * GET /fan-outs/{batchId}?pipelines=a,b: the batch's executions in each pipeline, found
 * by display name with ListPipelineExecutions, with counts per status.
 */
export const batchStatus = async (
  event: APIGatewayProxyEventV2,
  deps: { sagemaker: FanOutSageMaker; allowList: AllowList; remainingTimeMs: () => number },
): Promise<APIGatewayProxyStructuredResultV2> => {
  const batchId = event.pathParameters?.batchId ?? '';
  if (!BATCH_ID_PATTERN.test(batchId)) {
    throw new InputValidationError(
      [
        {
          field: 'batchId',
          problem: `expected 12 lowercase hex digits, received ${JSON.stringify(batchId.slice(0, 60))}`,
        },
      ],
      { subject: 'path' },
    );
  }
  const pipelines = pipelinesQuery(event);
  assertPipelinesAllowed(deps.allowList, pipelines);
  const total = emptyCounts();
  const perPipeline = await Promise.all(
    pipelines.map(async (pipeline) => {
      let found: Awaited<ReturnType<typeof findBatchExecutions>>;
      try {
        found = await findBatchExecutions(deps.sagemaker, pipeline, batchId, {
          maxPages: MAX_STATUS_PAGES,
          mayContinue: () => deps.remainingTimeMs() > 3_000,
        });
      } catch (error) {
        throw statusError(pipeline, error);
      }
      const counts = emptyCounts();
      const executions = [...found.executions.values()]
        .sort((a, b) => a.index - b.index)
        .map(({ index, executionArn, displayName, status, startTime }) => {
          if (status !== undefined && status in counts) {
            counts[status as Status]++;
            total[status as Status]++;
          }
          return { index, executionArn, displayName, status, startTime };
        });
      return { pipeline, counts, executions, truncated: found.truncated };
    }),
  );
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: fitResponseBody({ batchId, counts: total, pipelines: perPipeline }, [
      { within: 'pipelines', list: 'executions' },
    ]),
  };
};

/** An error from ListPipelineExecutions, as a problem the client may see. */
const statusError = (pipeline: string, error: unknown): Error => {
  const name = errorName(error);
  if (name === 'ResourceNotFound') {
    return new HttpProblemError(
      404,
      'pipeline-not-found',
      'Pipeline not found',
      `Pipeline ${JSON.stringify(pipeline)} does not exist.`,
      { cause: error },
    );
  }
  if (name === 'ThrottlingException') {
    return new HttpProblemError(
      503,
      'throttled',
      'Service Unavailable',
      'SageMaker is throttling',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
};
