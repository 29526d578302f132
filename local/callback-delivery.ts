/**
 * Callback steps whose queue a function of this project consumes: their messages go to that
 * function, as SQS would deliver them on AWS. The queue is named by the last path segment of
 * the step's `SqsQueueUrl` (an SQS queue URL is `https://sqs.<region>.amazonaws.com/<account>/<name>`)
 * and matched against the queues of serverless.yml that a function's `sqs` event names. Messages
 * to any other queue stay on the local callback list only (local/callbacks.ts).
 */
import type { CallbackDelivery } from './callbacks';
import type { CallbackMessage } from './engine/interpreter';

/** The queue name at the end of a queue URL; undefined for anything that is not a URL. */
export const queueNameOfUrl = (url: string | undefined): string | undefined => {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const name = new URL(url).pathname.split('/').filter(Boolean).at(-1);
  return name === undefined || name === '' ? undefined : decodeURIComponent(name);
};

/**
 * The body SageMaker puts on the queue: `token`, `pipelineExecutionArn`, `arguments` and
 * `status` (`Executing`, then `Stopping` when the execution is stopped; SageMaker API
 * Reference, StopPipelineExecution). The local runtime's own fields (`stepName`,
 * `sqsQueueUrl`) are not SageMaker's and are left out, so the consumer sees what it would on AWS.
 */
export const callbackMessageBody = (message: CallbackMessage): string =>
  JSON.stringify({
    token: message.token,
    pipelineExecutionArn: message.pipelineExecutionArn,
    arguments: message.arguments,
    status: message.status,
  });

/** The queues local mode serves: whether one has a consumer, and sending to it. */
export interface ConsumedQueues {
  /** Whether a function's `sqs` event names the queue of this local name. */
  consumes(queueName: string): boolean;
  send(queueName: string, body: string): void;
}

export const createCallbackDelivery = (
  queues: ConsumedQueues,
  log: (line: string) => void = () => {},
): CallbackDelivery => {
  return (message) => {
    const name = queueNameOfUrl(message.sqsQueueUrl);
    if (name === undefined || !queues.consumes(name)) return false;
    queues.send(name, callbackMessageBody(message));
    log(`callback ${message.token} (${message.status}) -> queue ${name}`);
    return true;
  };
};
