import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpProblemError } from '../http/problem-details';
import type { BatchDeps } from './deps';
import { BatchNotFoundError, BatchStateError } from './errors';
import { type BatchRecord, countsOf } from './ledger';
import { redriveBatch } from './redrive';
import { stopBatch } from './stop';

const answer = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const notFound = (batchId: string, cause: unknown) =>
  new HttpProblemError(404, 'batch-not-found', 'Batch not found', `No batch ${batchId}.`, {
    cause,
  });

/** The fan-in fields `GET /batches/{batchId}` adds: results, tolerance and the callback. */
export const fanInView = (batch: BatchRecord) => ({
  ...(batch.resultsUri === undefined ? {} : { resultsUri: batch.resultsUri }),
  ...(batch.toleratedFailureCount === undefined
    ? {}
    : { toleratedFailureCount: batch.toleratedFailureCount }),
  ...(batch.toleratedFailurePercentage === undefined
    ? {}
    : { toleratedFailurePercentage: batch.toleratedFailurePercentage }),
  ...(batch.callback === undefined
    ? {}
    : {
        callback: {
          parentExecutionArn: batch.callback.parentExecutionArn,
          stepName: batch.callback.stepName,
          ...(batch.callbackAnswer?.token === batch.callback.token
            ? {
                answer: batch.callbackAnswer.outcome,
                answeredAt: batch.callbackAnswer.at,
                ...(batch.callbackAnswer.late === undefined
                  ? {}
                  : { late: batch.callbackAnswer.late }),
              }
            : {}),
        },
      }),
});

/** POST /batches/{batchId}/redrive: 202 with the batch running again; 409 while it runs. */
export const postRedrive = async (deps: BatchDeps, batchId: string) => {
  try {
    const { batch, redriven } = await redriveBatch(deps, batchId);
    return answer(202, { batchId, status: batch.status, counts: countsOf(batch), redriven });
  } catch (error) {
    if (error instanceof BatchNotFoundError) throw notFound(batchId, error);
    if (error instanceof BatchStateError) {
      throw new HttpProblemError(409, 'batch-running', 'Conflict', error.message, {
        cause: error,
      });
    }
    throw error;
  }
};

/** POST /batches/{batchId}/stop: 202 with the batch stopping (or ended). */
export const postStop = async (deps: BatchDeps, batchId: string) => {
  try {
    const batch = await stopBatch(deps, batchId);
    return answer(202, { batchId, status: batch.status, counts: countsOf(batch) });
  } catch (error) {
    if (error instanceof BatchNotFoundError) throw notFound(batchId, error);
    throw error;
  }
};
