import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import type { FanInDeps, FanInSageMaker, ResultsStore } from '../../../shared/batches/fan-in';
import type { FakeBatchSageMaker } from './fake-sagemaker';
import { newBatchWorld } from './harness';

/** A Callback step's answer as SageMaker received it. */
export type Answer =
  | { kind: 'success'; token: string; clientToken: string; outputs: Record<string, string> }
  | { kind: 'failure'; token: string; clientToken: string; reason: string };

/**
 * SageMaker's side of fan-in over the fake children: StopPipelineExecution marks a running
 * child `Stopping` (its event comes when the test ends it), the Send operations record
 * answers and refuse a second answer to a token unless it repeats the first one's
 * ClientRequestToken, as the local runtime and SageMaker do.
 */
export class FakeFanInSageMaker implements FanInSageMaker {
  readonly answers: Answer[] = [];
  readonly stopRequests: string[] = [];
  /** Tokens SageMaker no longer takes (expired, parent gone). */
  readonly expired = new Set<string>();

  constructor(private readonly children: FakeBatchSageMaker) {}

  async stopPipelineExecution(input: { PipelineExecutionArn: string; ClientRequestToken: string }) {
    const child = this.children.children.find((c) => c.arn === input.PipelineExecutionArn);
    this.stopRequests.push(input.PipelineExecutionArn);
    if (child?.status !== 'Executing') {
      throw conflict(`Pipeline execution '${input.PipelineExecutionArn}' cannot be stopped.`);
    }
    return {};
  }

  private answer(answer: Answer) {
    if (this.expired.has(answer.token)) throw conflict(`Callback token '${answer.token}' expired.`);
    const earlier = this.answers.find((a) => a.token === answer.token);
    if (earlier !== undefined) {
      if (earlier.clientToken === answer.clientToken && earlier.kind === answer.kind) return {};
      throw conflict(`Callback token '${answer.token}' has already been used.`);
    }
    this.answers.push(answer);
    return {};
  }

  async sendPipelineExecutionStepSuccess(input: {
    CallbackToken: string;
    ClientRequestToken: string;
    OutputParameters: Array<{ Name: string; Value: string }>;
  }) {
    return this.answer({
      kind: 'success',
      token: input.CallbackToken,
      clientToken: input.ClientRequestToken,
      outputs: Object.fromEntries(input.OutputParameters.map((o) => [o.Name, o.Value])),
    });
  }

  async sendPipelineExecutionStepFailure(input: {
    CallbackToken: string;
    ClientRequestToken: string;
    FailureReason: string;
  }) {
    return this.answer({
      kind: 'failure',
      token: input.CallbackToken,
      clientToken: input.ClientRequestToken,
      reason: input.FailureReason,
    });
  }
}

const conflict = (message: string) =>
  new SageMakerServiceException({
    name: 'ConflictException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });

/** Results kept in memory, one object per key, written line by line. */
export class MemoryResults implements ResultsStore {
  readonly objects = new Map<string, string>();

  async writeLines(key: string, lines: AsyncIterable<string>) {
    let text = '';
    for await (const line of lines) text += line;
    this.objects.set(key, text);
    return `s3://results-bucket/${key}`;
  }

  lines(key: string): Array<Record<string, unknown>> {
    return (this.objects.get(key) ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export const fanInOf = (children: FakeBatchSageMaker) => {
  const sagemaker = new FakeFanInSageMaker(children);
  const results = new MemoryResults();
  const fanIn: FanInDeps = { sagemaker, results, resultsPrefix: 'batch-results' };
  return { sagemaker, results, fanIn };
};

/** A batch world (see newBatchWorld) whose batches end with a fan-in: `parent` takes the answers. */
export const newFanInWorld = async (client: DynamoDBClient) => {
  const base = await newBatchWorld(client);
  const fanIn = fanInOf(base.sagemaker);
  return {
    ...base,
    parent: fanIn.sagemaker,
    results: fanIn.results,
    deps: base.depsWith({ fanIn: fanIn.fanIn }),
  };
};
