import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Who sent a fan-out request, for the logs and each child execution's description, so
 * that CloudTrail's Lambda role is not the only trace of who started what.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, 2048) : undefined;

/**
 * The caller of an HTTP API route with IAM authorization: `requestContext.authorizer.iam`'s
 * `userArn` (the signing principal), else its account and caller id.
 */
export function httpCaller(event: APIGatewayProxyEventV2): string | undefined {
  const context: unknown = event.requestContext;
  const authorizer = isRecord(context) ? context.authorizer : undefined;
  const iam = isRecord(authorizer) ? authorizer.iam : undefined;
  if (!isRecord(iam)) return undefined;
  const arn = text(iam.userArn);
  if (arn) return arn;
  const account = text(iam.accountId);
  const callerId = text(iam.callerId) ?? text(iam.userId);
  return account && callerId ? `${account}:${callerId}` : undefined;
}

const EXECUTION_ARN = /^arn:[a-z-]+:sagemaker:[a-z0-9-]+:[0-9]{12}:pipeline\/[^/]+\/execution\/.+$/;

/**
 * The caller of a LambdaStep: the parent's `pipelineExecutionArn` from the event, else the
 * batch key when it is a pipeline execution ARN (`Execution.PipelineExecutionArn`).
 */
export const stepCaller = (input: object, batchKey: string): string | undefined =>
  text((input as { pipelineExecutionArn?: unknown }).pipelineExecutionArn) ??
  (EXECUTION_ARN.test(batchKey) ? batchKey : undefined);

/**
 * The caller of a scheduled fan-out: the rule's ARN (`resources[0]` of a rule's
 * "Scheduled Event"), else the event's first resource or its source. A rule's constant or transformed input, and
 * EventBridge Scheduler's input, carry no envelope: then `eventbridge`.
 */
export function scheduleCaller(event: unknown): string {
  if (!isRecord(event)) return 'eventbridge';
  const resources = event.resources;
  const rule = Array.isArray(resources) ? text(resources[0]) : undefined;
  return rule ?? (text(event.source) ? `eventbridge:${text(event.source)}` : 'eventbridge');
}
