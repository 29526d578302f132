import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { configFromEnvironment, type FanOutConfig } from '../../shared/config';
import { homeOf } from '../../shared/fan-out/allow-list';
import { batchStatus } from '../../shared/fan-out/batch-status';
import { httpCaller } from '../../shared/fan-out/caller';
import { createFanOutDependencies } from '../../shared/fan-out/dependencies';
import { requestFromHttp, resultResponse } from '../../shared/fan-out/post';
import { runFanOut } from '../../shared/fan-out/runner';
import { HttpProblemError, problemDetails } from '../../shared/http/problem-details';

export function createHandler(config: FanOutConfig) {
  const dependencies = createFanOutDependencies(config);

  /** The signing principal: logged with every line of the invocation and given to the run. */
  const callerOf = (event: APIGatewayProxyEventV2): { caller?: string } => {
    const caller = httpCaller(event);
    if (caller === undefined) return {};
    dependencies.logger.appendKeys({ caller });
    return { caller };
  };

  /** POST /fan-outs starts a fan-out; GET /fan-outs/{batchId} reports its executions. */
  const route = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const remainingTimeMs = () => context.getRemainingTimeInMillis();
    const home = homeOf(context.invokedFunctionArn);
    const caller = callerOf(event);
    switch (event.routeKey) {
      case 'POST /fan-outs':
        return resultResponse(
          await runFanOut(requestFromHttp(event), {
            ...dependencies,
            remainingTimeMs,
            home,
            ...caller,
          }),
        );
      case 'GET /fan-outs/{batchId}':
        return batchStatus(event, { ...dependencies, remainingTimeMs, home });
      default:
        throw new HttpProblemError(
          404,
          'not-found',
          'Not Found',
          `No route ${JSON.stringify(String(event.routeKey).slice(0, 60))}; use POST /fan-outs or GET /fan-outs/{batchId}`,
        );
    }
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(route)
    .use(injectLambdaContext(dependencies.logger, { resetKeys: true }))
    .use(problemDetails(dependencies.logger));
}

export const handler = createHandler(configFromEnvironment());
