import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FieldProblem, InputValidationError } from '../errors';
import { fitResponseBody } from '../http/fit-response-body';
import { HttpProblemError } from '../http/problem-details';
import { type PIPELINE_EXECUTION_STATUSES, PIPELINE_NAME_OR_ARN_PATTERN } from '../limits';
import { type AllowList, assertPipelinesAllowed } from './allow-list';
import { findBatchExecutions } from './batch-executions';
import { errorName } from './classify';
import { BATCH_ID_PATTERN } from './identity';
import { MAX_PIPELINES } from './request';
import type { FanOutSageMaker } from './sagemaker';

/** Pages of ListPipelineExecutions read per pipeline for GET (100 executions each). */
export const MAX_STATUS_PAGES = 100;

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
