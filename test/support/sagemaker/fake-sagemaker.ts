import {
  DescribePipelineCommand,
  type DescribePipelineCommandInput,
  ListPipelineExecutionsCommand,
  type ListPipelineExecutionsCommandInput,
  type PipelineExecutionSummary,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
  StartPipelineExecutionCommand,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { onTestFinished } from 'vitest';
import { pipelineNameOf } from '../../../shared/fan-out/identity';
import type { FanOutSageMaker } from '../../../shared/fan-out/sagemaker';
import { sageMakerPort } from '../../../shared/fan-out/sagemaker-client';

/** Attempts the SDK made for one call (1 when it did not retry), from `$metadata.attempts`. */
const sdkAttempts = (error: unknown): number => {
  const attempts =
    error !== null && typeof error === 'object' && '$metadata' in error
      ? (error.$metadata as { attempts?: unknown } | undefined)?.attempts
      : undefined;
  return typeof attempts === 'number' && attempts >= 1 ? attempts : 1;
};

export type FakeStatus = 'Executing' | 'Succeeded' | 'Failed' | 'Stopped';

/** An execution the fake service holds. */
export interface FakeExecution {
  arn: string;
  pipeline: string;
  token: string;
  displayName: string | undefined;
  description: string | undefined;
  parameters: Array<{ Name?: string; Value?: string }>;
  parallelism: number | undefined;
  status: FakeStatus;
  created: number;
  /** When it was created, by the test's clock. */
  createdTime: Date;
}

/**
 * Decides, per StartPipelineExecution call, whether it fails and how: an error to throw, or
 * `after-start` (started, answer lost).
 */
export type Fault = (input: StartPipelineExecutionCommandInput, call: number) => unknown;

/**
 * A small in-memory SageMaker: honours ClientRequestToken (same token and pipeline,
 * same execution), refuses a start past `quota` running executions (its own and
 * `foreignRunning` ones) with ResourceLimitExceeded, records the most executions ever
 * running at once, pages ListPipelineExecutions newest first, and injects faults.
 */
export class FakeSageMaker {
  readonly executions: FakeExecution[] = [];
  readonly startInputs: StartPipelineExecutionCommandInput[] = [];
  listCalls = 0;
  describeCalls = 0;
  pipelines = new Set<string>(['child-a', 'child-b']);
  /** Parameters each pipeline's definition declares; a pipeline not here answers no definition. */
  declared = new Map<string, string[]>();
  quota = Number.POSITIVE_INFINITY;
  /** Executions of other callers holding the quota. */
  foreignRunning = 0;
  peakRunning = 0;
  fault: Fault | undefined;
  /** Fails every ListPipelineExecutions call when set. */
  listFault: unknown;
  /** Runs before each start answers (for concurrency tracking or pending calls). */
  beforeAnswer: ((input: StartPipelineExecutionCommandInput) => Promise<void>) | undefined;
  private ids = 0;

  get startCalls(): number {
    return this.startInputs.length;
  }

  async start(input: StartPipelineExecutionCommandInput) {
    this.startInputs.push(input);
    const call = this.startInputs.length;
    if (this.beforeAnswer) await this.beforeAnswer(input);
    const fault = this.fault?.(input, call);
    if (fault !== undefined && fault !== 'after-start') throw fault;
    const pipeline = pipelineNameOf(input.PipelineName ?? '');
    if (!this.pipelines.has(pipeline)) {
      throw new ResourceNotFound({ message: `Pipeline ${pipeline} does not exist`, $metadata: {} });
    }
    const existing = this.executions.find(
      (e) => e.pipeline === pipeline && e.token === input.ClientRequestToken,
    );
    if (existing) return { PipelineExecutionArn: existing.arn, $metadata: { attempts: 1 } };
    if (this.running() + this.foreignRunning >= this.quota) {
      throw new ResourceLimitExceeded({
        message: `The account-level limit of ${this.quota} concurrent executions is reached`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    this.ids++;
    const execution: FakeExecution = {
      arn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${pipeline}/execution/${String(this.ids).padStart(12, '0')}`,
      pipeline,
      token: input.ClientRequestToken ?? '',
      displayName: input.PipelineExecutionDisplayName,
      description: input.PipelineExecutionDescription,
      parameters: input.PipelineParameters ?? [],
      parallelism: input.ParallelismConfiguration?.MaxParallelExecutionSteps,
      status: 'Executing',
      created: this.ids,
      createdTime: new Date(),
    };
    this.executions.push(execution);
    this.peakRunning = Math.max(this.peakRunning, this.running());
    // The execution exists, but the answer is lost: the caller sees a 500.
    if (fault === 'after-start') throw serverError();
    return { PipelineExecutionArn: execution.arn, $metadata: { attempts: 1 } };
  }

  list(input: ListPipelineExecutionsCommandInput) {
    this.listCalls++;
    if (this.listFault !== undefined) throw this.listFault;
    const pipeline = pipelineNameOf(input.PipelineName ?? '');
    if (!this.pipelines.has(pipeline)) {
      throw new ResourceNotFound({ message: `Pipeline ${pipeline} does not exist`, $metadata: {} });
    }
    const after = input.CreatedAfter;
    const ascending = input.SortOrder === 'Ascending';
    const all = this.executions
      .filter((e) => e.pipeline === pipeline && (after === undefined || e.createdTime > after))
      .sort((a, b) => (ascending ? a.created - b.created : b.created - a.created));
    const offset = Number(input.NextToken ?? '0');
    const size = input.MaxResults ?? 50;
    const page = all.slice(offset, offset + size);
    const summaries: PipelineExecutionSummary[] = page.map((e) => ({
      PipelineExecutionArn: e.arn,
      PipelineExecutionDisplayName: e.displayName,
      PipelineExecutionDescription: e.description,
      PipelineExecutionStatus: e.status,
      StartTime: e.createdTime,
    }));
    return {
      PipelineExecutionSummaries: summaries,
      NextToken: offset + size < all.length ? String(offset + size) : undefined,
    };
  }

  describe(input: DescribePipelineCommandInput) {
    this.describeCalls++;
    const pipeline = pipelineNameOf(input.PipelineName ?? '');
    if (!this.pipelines.has(pipeline)) {
      throw new ResourceNotFound({ message: `Pipeline ${pipeline} does not exist`, $metadata: {} });
    }
    const names = this.declared.get(pipeline);
    if (names === undefined) return {};
    return {
      PipelineDefinition: JSON.stringify({
        Version: '2020-12-01',
        Parameters: names.map((Name) => ({ Name, Type: 'String' })),
        Steps: [],
      }),
    };
  }

  running(): number {
    return this.executions.filter((e) => e.status === 'Executing').length;
  }

  /** Children finish: their quota is free again. */
  finishAll(): void {
    for (const e of this.executions) e.status = 'Succeeded';
  }

  /** Executions per (pipeline, display name), to spot duplicates. */
  countsByPair(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of this.executions) {
      const key = `${e.pipeline}/${e.displayName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}

/**
 * Routes every SageMakerClient's commands to `fake` with aws-sdk-client-mock and
 * returns the runner's port over a real client, so the SDK command plumbing is used.
 *
 * aws-sdk-client-mock replaces `send`, so the SDK's retries never run. A start that fails
 * with `$metadata.attempts` n stands for n attempts that all failed with that error: the
 * port tells the call's `onRetry` of n - 1 retries after it, as the real client would.
 * (Retries inside the SDK against real HTTP answers: `scripted-sagemaker.ts`.)
 */
export const mockSageMaker = (fake: FakeSageMaker) => {
  const mock = mockClient(SageMakerClient);
  mock.on(StartPipelineExecutionCommand).callsFake((input) => fake.start(input));
  mock.on(ListPipelineExecutionsCommand).callsFake((input) => fake.list(input));
  mock.on(DescribePipelineCommand).callsFake((input) => fake.describe(input));
  const real: FanOutSageMaker = sageMakerPort(new SageMakerClient({ region: 'us-east-1' }));
  const port: FanOutSageMaker = {
    ...real,
    startPipelineExecution: async (input, options) => {
      try {
        return await real.startPipelineExecution(input, options);
      } catch (error) {
        for (let retry = 1; retry < sdkAttempts(error); retry++) options?.onRetry?.(error);
        throw error;
      }
    },
  };
  return { mock, port };
};

export const throttling = (attempts = 3) =>
  new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400, attempts },
  });

export const serverError = () =>
  new SageMakerServiceException({
    name: 'InternalFailure',
    $fault: 'server',
    message: 'We encountered an internal error. Please try again.',
    $metadata: { httpStatusCode: 500, attempts: 3 },
  });

export const validationError = (message: string) =>
  new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });

/** A sleep that does not wait, recording the delays asked for. */
export const instantSleep = () => {
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  return { delays, sleep };
};

/**
 * For one test: a fresh fake holding the two example child pipelines, answering the
 * handlers' module client until the test finishes.
 */
export const useFakeSageMaker = (): FakeSageMaker => {
  const fake = new FakeSageMaker();
  fake.pipelines = new Set(['child-pipeline-1', 'child-pipeline-2']);
  const { mock } = mockSageMaker(fake);
  onTestFinished(() => mock.restore());
  return fake;
};
