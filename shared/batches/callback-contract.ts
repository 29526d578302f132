import * as v from 'valibot';
import type { OutputType } from '../lambda-step';
import { batchRequestSchema } from './request';

/**
 * What a Callback step that runs a batch sends and gets back: its `Arguments` (the batch
 * request, every value a string as SageMaker passes them, plus `stepName`) and the
 * `OutputParameters` batch-callback answers with. Published in `contracts.json`
 * (`callbackSteps`), from which the Callback step's outputs are declared.
 */
export const batchCallbackContract = {
  name: 'batch-callback',
  description:
    "Runs a batch of child pipeline executions for a Callback step and answers the step when the batch ends: success with its outputs within the failure tolerance, failure with a one-line reason beyond it. Put the stack's BatchQueueUrl output in the step's SqsQueueUrl.",
  queueOutput: 'BatchQueueUrl',
  argumentsSchema: v.object({
    stepName: v.pipe(
      v.string(),
      v.minLength(1),
      v.maxLength(256),
      v.description(
        "The Callback step's own name: with the parent execution ARN it keys the batch, so a retried parent finds its batch again",
      ),
    ),
    ...batchRequestSchema.entries,
  }),
  outputParameters: [
    { OutputName: 'batchId', OutputType: 'String' },
    { OutputName: 'total', OutputType: 'Integer' },
    { OutputName: 'succeeded', OutputType: 'Integer' },
    { OutputName: 'failed', OutputType: 'Integer' },
    { OutputName: 'resultsUri', OutputType: 'String' },
  ] as const satisfies ReadonlyArray<{ OutputName: string; OutputType: OutputType }>,
};

/** The names of the outputs, in declaration order. */
export type BatchCallbackOutput =
  (typeof batchCallbackContract.outputParameters)[number]['OutputName'];
