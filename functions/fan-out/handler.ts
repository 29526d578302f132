import { configFromEnvironment, type FanOutConfig } from '../../shared/config';
import { homeOf } from '../../shared/fan-out/allow-list';
import { stepCaller } from '../../shared/fan-out/caller';
import { createFanOutDependencies } from '../../shared/fan-out/dependencies';
import { fanOutRequestSchema } from '../../shared/fan-out/request';
import { runFanOut } from '../../shared/fan-out/runner';
import { fanOutStepOutputs, toStepOutputs } from '../../shared/fan-out/step';
import { defineLambdaStep } from '../../shared/lambda-step';

export function createHandler(config: FanOutConfig) {
  const dependencies = createFanOutDependencies(config);
  return defineLambdaStep(
    {
      name: 'fan-out',
      description:
        'Starts one execution of each child pipeline per item, exactly once per (pipeline, item) however often it is retried; re-send the same request to resume deferred items.',
      input: fanOutRequestSchema,
      outputs: fanOutStepOutputs,
      run: async (request, { context }) => {
        const caller = stepCaller(request, request.batchKey);
        if (caller !== undefined) dependencies.logger.appendKeys({ caller });
        return toStepOutputs(
          await runFanOut(request, {
            ...dependencies,
            remainingTimeMs: () => context.getRemainingTimeInMillis(),
            home: homeOf(context.invokedFunctionArn),
            ...(caller === undefined ? {} : { caller }),
          }),
        );
      },
    },
    dependencies.logger,
  );
}

export const handler = createHandler(configFromEnvironment());
