import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FieldProblem, InputValidationError } from '../errors';
import { fitResponseBody } from '../http/fit-response-body';
import { HttpProblemError } from '../http/problem-details';
import { batchIdFromPath } from '../http/request';
import { type PIPELINE_EXECUTION_STATUSES, PIPELINE_NAME_OR_ARN_PATTERN } from '../limits';
import { type AllowList, assertPipelinesAllowed, type Home } from './allow-list';
import { findBatchExecutions } from './batch-executions';
import { accessDeniedDetail, errorName, isAccessDenied } from './classify';
import { pipelineNameOf } from './identity';
import { MAX_PIPELINES } from './request';
import type { FanOutSageMaker } from './sagemaker';

/**
 * Pages of ListPipelineExecutions read per pipeline by one GET (100 executions each): at
 * most 5 calls per pipeline, 50 for 10 pipelines. The rest comes with `nextToken`.
 */
export const MAX_STATUS_PAGES = 5;

/** How far back a GET without `createdAfter` looks: 7 days. */
export const DEFAULT_STATUS_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Subtracted from `createdAfter` before it becomes `CreatedAfter`: the batch's creation
 * time is the function's clock, the executions' SageMaker's; 5 minutes covers any skew.
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60 * 1000;

type Status = (typeof PIPELINE_EXECUTION_STATUSES)[number];
const emptyCounts = (): Record<Status, number> => ({
  Executing: 0,
  Stopping: 0,
  Stopped: 0,
  Failed: 0,
  Succeeded: 0,
});

/** The `pipelines` query parameter of a GET: comma-separated names or ARNs. */
function pipelinesQuery(event: APIGatewayProxyEventV2): string[] {
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
}

const queryProblem = (field: string, problem: string, options?: { cause?: unknown }) =>
  new InputValidationError([{ field, problem }], { subject: 'query', ...options });

/** `createdAfter`: ISO 8601 or epoch milliseconds; default {@link DEFAULT_STATUS_LOOKBACK_MS} ago. */
function createdAfterQuery(event: APIGatewayProxyEventV2, now: Date): Date {
  const value = event.queryStringParameters?.createdAfter;
  if (value === undefined || value === '') {
    return new Date(now.getTime() - DEFAULT_STATUS_LOOKBACK_MS);
  }
  const date = /^[0-9]{1,15}$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(date.getTime()) || value.length > 40) {
    throw queryProblem(
      'createdAfter',
      `expected an ISO 8601 time (the POST's createdAt) or epoch milliseconds, received ${JSON.stringify(value.slice(0, 60))}`,
    );
  }
  return date;
}

/** A GET's continuation: where each pipeline's listing stopped, and from when it lists. */
interface StatusToken {
  createdAfter: string;
  tokens: Record<string, string>;
}

const encodeToken = (token: StatusToken): string =>
  Buffer.from(JSON.stringify(token)).toString('base64url');

/** Most characters of a `nextToken` accepted back: 10 SageMaker tokens and the time. */
const MAX_STATUS_TOKEN_LENGTH = 65_536;

function nextTokenQuery(event: APIGatewayProxyEventV2): StatusToken | undefined {
  const value = event.queryStringParameters?.nextToken;
  if (value === undefined || value === '') return undefined;
  const invalid = () =>
    queryProblem('nextToken', 'expected the nextToken of an earlier answer, unchanged');
  if (value.length > MAX_STATUS_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch (error) {
    throw queryProblem('nextToken', 'expected the nextToken of an earlier answer, unchanged', {
      cause: error,
    });
  }
  const token = parsed as Partial<StatusToken> | null;
  if (
    token === null ||
    typeof token !== 'object' ||
    typeof token.createdAfter !== 'string' ||
    Number.isNaN(new Date(token.createdAfter).getTime()) ||
    token.tokens === null ||
    typeof token.tokens !== 'object' ||
    Object.values(token.tokens).some((t) => typeof t !== 'string')
  ) {
    throw invalid();
  }
  return token as StatusToken;
}

/**
 * GET /fan-outs/{batchId}?pipelines=a,b[&createdAfter=...][&nextToken=...]: the batch's
 * executions in each pipeline, found by display name among the executions created after
 * `createdAfter` (ListPipelineExecutions with `CreatedAfter`, oldest first), with counts
 * per status. One GET reads at most {@link MAX_STATUS_PAGES} pages per pipeline; when a
 * listing goes on, the answer's `nextToken` continues it and each page counts what it lists.
 */
export const batchStatus = async (
  event: APIGatewayProxyEventV2,
  deps: {
    sagemaker: FanOutSageMaker;
    allowList: AllowList;
    remainingTimeMs: () => number;
    now?: () => Date;
    home?: Home;
  },
): Promise<APIGatewayProxyStructuredResultV2> => {
  const batchId = batchIdFromPath(event);
  const pipelines = pipelinesQuery(event);
  const continued = nextTokenQuery(event);
  const createdAfter = continued
    ? new Date(continued.createdAfter)
    : createdAfterQuery(event, (deps.now ?? (() => new Date()))());
  assertPipelinesAllowed(deps.allowList, pipelines, deps.home);
  const listFrom = new Date(createdAfter.getTime() - CLOCK_SKEW_MARGIN_MS);
  const total = emptyCounts();
  const nextTokens: Record<string, string> = {};
  const perPipeline = await Promise.all(
    pipelines.map(async (pipeline) => {
      const key = pipelineNameOf(pipeline).toLowerCase();
      const resumeFrom = continued?.tokens[key];
      if (continued && resumeFrom === undefined) {
        return { pipeline, counts: emptyCounts(), executions: [], complete: true };
      }
      let found: Awaited<ReturnType<typeof findBatchExecutions>>;
      try {
        found = await findBatchExecutions(deps.sagemaker, pipeline, batchId, {
          maxPages: MAX_STATUS_PAGES,
          mayContinue: () => deps.remainingTimeMs() > 3_000,
          createdAfter: listFrom,
          ...(resumeFrom === undefined ? {} : { nextToken: resumeFrom }),
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
      if (found.nextToken !== undefined) nextTokens[key] = found.nextToken;
      return { pipeline, counts, executions, complete: found.nextToken === undefined };
    }),
  );
  const more = Object.keys(nextTokens).length > 0;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: fitResponseBody(
      {
        batchId,
        createdAfter: createdAfter.toISOString(),
        counts: total,
        pipelines: perPipeline,
        ...(more
          ? {
              nextToken: encodeToken({
                createdAfter: createdAfter.toISOString(),
                tokens: nextTokens,
              }),
            }
          : {}),
      },
      [{ within: 'pipelines', list: 'executions' }],
    ),
  };
};

/** An error from ListPipelineExecutions, as a problem the client may see. */
function statusError(pipeline: string, error: unknown): Error {
  const name = errorName(error);
  if (isAccessDenied(error)) {
    const denied = accessDeniedDetail('list', pipeline);
    return new HttpProblemError(
      403,
      'access-denied',
      'Forbidden',
      `${denied.name}: ${denied.message}`,
      {
        cause: error,
      },
    );
  }
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
}
