/// <reference lib="dom" />
/**
 * The SageMaker JSON 1.1 API as the console calls it: `POST /` with the headers an SDK sends.
 * Timestamps arrive as epoch seconds.
 */
import type { QueuedCallback } from '../../runtime';

export type { QueuedCallback };

/** An error answer of the API (`{"__type", "message"}`) or a failed request. */
export class ConsoleApiError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status: number, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ConsoleApiError';
    this.type = type;
    this.status = status;
  }
}

export interface PipelineSummary {
  PipelineName: string;
  PipelineArn: string;
  PipelineDisplayName?: string;
  PipelineDescription?: string;
  CreationTime?: number;
  LastModifiedTime?: number;
  LastExecutionTime?: number;
}

export interface PipelineDescription extends PipelineSummary {
  PipelineDefinition: string;
  PipelineStatus?: string;
}

export interface ExecutionSummary {
  PipelineExecutionArn: string;
  StartTime?: number;
  PipelineExecutionStatus: string;
  PipelineExecutionDisplayName?: string;
  PipelineExecutionFailureReason?: string;
}

export interface ExecutionDescription {
  PipelineArn: string;
  PipelineExecutionArn: string;
  PipelineExecutionDisplayName?: string;
  PipelineExecutionStatus: string;
  FailureReason?: string;
  CreationTime?: number;
  LastModifiedTime?: number;
}

export interface NameValue {
  Name: string;
  Value: string;
}

export interface StepMetadata {
  Lambda?: { Arn?: string; OutputParameters?: NameValue[] };
  Condition?: { Outcome: string };
  Fail?: { ErrorMessage: string };
  Callback?: { CallbackToken?: string; SqsQueueUrl?: string; OutputParameters?: NameValue[] };
  [kind: string]: unknown;
}

export interface ExecutionStep {
  StepName: string;
  StepDisplayName?: string;
  StartTime?: number;
  EndTime?: number;
  StepStatus: string;
  FailureReason?: string;
  Metadata?: StepMetadata;
}

/** Calls one SageMaker operation; rejects with ConsoleApiError. */
export async function call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `SageMaker.${operation}`,
      },
      body: JSON.stringify(input),
    });
  } catch (cause) {
    throw new ConsoleApiError('NetworkError', 'the local runtime did not answer', 0, { cause });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new ConsoleApiError('SerializationException', `not JSON: ${text.slice(0, 200)}`, 0, {
      cause,
    });
  }
  if (!response.ok) {
    const error = body as { __type?: string; message?: string };
    throw new ConsoleApiError(
      error.__type ?? 'UnknownError',
      error.message ?? `HTTP ${response.status}`,
      response.status,
    );
  }
  return body as T;
}

/** The List operations the console pages through, each with the member that holds its items. */
const ITEMS = {
  ListPipelines: 'PipelineSummaries',
  ListPipelineExecutions: 'PipelineExecutionSummaries',
  ListPipelineExecutionSteps: 'PipelineExecutionSteps',
  ListPipelineParametersForExecution: 'PipelineParameters',
} as const;

/** Follows NextToken until the list ends, 100 a page (the API model's MaxResults maximum). */
async function all<T>(operation: keyof typeof ITEMS, input: Record<string, unknown>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await call<Record<string, unknown>>(operation, {
      ...input,
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    });
    items.push(...((page[ITEMS[operation]] as T[] | undefined) ?? []));
    token = typeof page.NextToken === 'string' ? page.NextToken : undefined;
  } while (token);
  return items;
}

export const listPipelines = () =>
  all<PipelineSummary>('ListPipelines', { SortBy: 'Name', SortOrder: 'Ascending' });

export const describePipeline = (name: string) =>
  call<PipelineDescription>('DescribePipeline', { PipelineName: name });

export const listExecutions = (pipelineName: string) =>
  all<ExecutionSummary>('ListPipelineExecutions', {
    PipelineName: pipelineName,
    SortOrder: 'Descending',
  });

/** What the console reads of one execution, each call naming it by `PipelineExecutionArn`. */
export function executionApi(arn: string) {
  const input = { PipelineExecutionArn: arn };
  return {
    describe: () => call<ExecutionDescription>('DescribePipelineExecution', input),
    steps: () =>
      all<ExecutionStep>('ListPipelineExecutionSteps', { ...input, SortOrder: 'Ascending' }),
    parameters: () => all<NameValue>('ListPipelineParametersForExecution', input),
    definition: () =>
      call<{ PipelineDefinition: string }>('DescribePipelineDefinitionForExecution', input).then(
        (answer) => answer.PipelineDefinition,
      ),
  };
}

/** ClientRequestToken is an idempotency token: an SDK fills it in, so the console does too. */
const requestToken = () => crypto.randomUUID();

export const sendStepSuccess = (token: string, outputs: NameValue[]) =>
  call<{ PipelineExecutionArn: string }>('SendPipelineExecutionStepSuccess', {
    CallbackToken: token,
    OutputParameters: outputs,
    ClientRequestToken: requestToken(),
  });

export const sendStepFailure = (token: string, reason: string) =>
  call<{ PipelineExecutionArn: string }>('SendPipelineExecutionStepFailure', {
    CallbackToken: token,
    FailureReason: reason,
    ClientRequestToken: requestToken(),
  });

/** Waiting callbacks, oldest first (`GET /_local/callbacks`). */
export async function listCallbacks(): Promise<QueuedCallback[]> {
  const response = await fetch('/_local/callbacks');
  if (!response.ok) {
    throw new ConsoleApiError('UnknownError', `HTTP ${response.status}`, response.status);
  }
  const body = (await response.json()) as { callbacks: QueuedCallback[] };
  return body.callbacks;
}
