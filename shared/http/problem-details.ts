import type { MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type FieldProblem, InputValidationError, SagemakerPipelineLambdasError } from '../errors';
import { BatchKeyReusedError, PipelineNotAllowedError, PlanningTimeError } from '../fan-out/errors';
import { defaultLogger, type Logger } from '../logger';
import { fitResponseBody, SHORTENED_LIST_LENGTH } from './fit-response-body';

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
export class HttpProblemError extends SagemakerPipelineLambdasError {
  override readonly name = 'HttpProblemError';
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
    this.status = status;
    this.title = title;
    this.problemType = `${PROBLEM_TYPE_BASE}${slug}`;
  }
}

/** The domain errors that are the client's fault, each with its status, type slug and title. */
const CLIENT_ERRORS = [
  [InputValidationError, 400, 'invalid-request', 'Invalid request'],
  [PipelineNotAllowedError, 403, 'pipeline-not-allowed', 'Pipeline not allowed'],
  [BatchKeyReusedError, 409, 'batch-key-reused', 'Batch key already used by a different request'],
  [PlanningTimeError, 413, 'too-much-work', 'Request too large to plan in time'],
] as const;

/** The HTTP answer an error already is, or is as a known client error; undefined for the rest. */
function httpProblemOf(error: unknown): HttpProblemError | undefined {
  if (error instanceof HttpProblemError) return error;
  for (const [errorClass, status, slug, title] of CLIENT_ERRORS) {
    if (error instanceof errorClass) {
      return new HttpProblemError(status, slug, title, error.message, { cause: error });
    }
  }
  return undefined;
}

/**
 * Maps any error to a problem. Client errors say what is wrong; a 5xx says only that
 * something failed on our side, with the request id to find it in the logs.
 */
export const toProblem = (error: unknown, requestId?: string): Problem => {
  const known = httpProblemOf(error);
  const withRequestId = requestId === undefined ? {} : { requestId };
  if (!known) {
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The request could not be processed because of an internal error.',
      ...withRequestId,
    };
  }
  const { problemType: type, title, status } = known;
  if (status >= 500)
    return { type, title, status, detail: `${title}; retry later.`, ...withRequestId };
  return {
    type,
    title,
    status,
    detail: known.message,
    ...(error instanceof InputValidationError ? { errors: error.problems } : {}),
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

/** middy middleware: every error becomes an `application/problem+json` response, logged with `log`. */
export const problemDetails = (
  log: Logger = defaultLogger(),
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> => ({
  onError: (request) => {
    const error = request.error;
    const problem = toProblem(error, request.context.awsRequestId);
    if (problem.status >= 500) log.error('Request failed', { error: error ?? undefined });
    else
      log.warn('Rejected request', {
        status: problem.status,
        detail: problem.detail.slice(0, 500),
        // What the client is not shown (SageMaker's AccessDenied names the role): logs only.
        ...(error?.cause instanceof Error
          ? { cause: { name: error.cause.name, message: error.cause.message.slice(0, 2000) } }
          : {}),
      });
    request.response = problemResponse(problem);
  },
});
