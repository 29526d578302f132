import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { batchStatus } from '../../shared/fan-out/batch-status';
import { loadFanOutEnvironment } from '../../shared/fan-out/environment';
import { publishStats } from '../../shared/fan-out/metrics';
import { requestFromHttp, resultResponse } from '../../shared/fan-out/post';
import { runFanOut } from '../../shared/fan-out/runner';
import { HttpProblemError, problemDetails } from '../../shared/http/problem-details';
import { logger } from '../../shared/logger';

const environment = loadFanOutEnvironment();

/** POST /fan-outs starts a fan-out; GET /fan-outs/{batchId} reports its executions. */
const route = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const remainingTimeMs = () => context.getRemainingTimeInMillis();
  switch (event.routeKey) {
    case 'POST /fan-outs':
      return resultResponse(
        await runFanOut(requestFromHttp(event), {
          ...environment,
          remainingTimeMs,
          onStats: publishStats,
        }),
      );
    case 'GET /fan-outs/{batchId}':
      return batchStatus(event, { ...environment, remainingTimeMs });
    default:
      throw new HttpProblemError(
        404,
        'not-found',
        'Not Found',
        `No route ${JSON.stringify(String(event.routeKey).slice(0, 60))}; use POST /fan-outs or GET /fan-outs/{batchId}`,
      );
  }
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(route)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(problemDetails());
