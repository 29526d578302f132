import { loadFanOutEnvironment } from '../../shared/fan-out/environment';
import { publishStats } from '../../shared/fan-out/metrics';
import { fanOutRequestSchema } from '../../shared/fan-out/request';
import { runFanOut } from '../../shared/fan-out/runner';
import { fanOutStepOutputs, toStepOutputs } from '../../shared/fan-out/step';
import { defineLambdaStep } from '../../shared/lambda-step';

const environment = loadFanOutEnvironment();

export const handler = defineLambdaStep({
  name: 'fan-out',
  description:
    'Starts one execution of each child pipeline per item, exactly once per (pipeline, item) however often it is retried; re-send the same request to resume deferred items.',
  input: fanOutRequestSchema,
  outputs: fanOutStepOutputs,
  run: async (request, { context }) =>
    toStepOutputs(
      await runFanOut(request, {
        ...environment,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        onStats: publishStats,
      }),
    ),
});
