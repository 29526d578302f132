import {
  type DescribePipelineExecutionCommandInput,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerServiceException,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-sagemaker';
import type { BatchSageMaker } from '../../../shared/batches/sagemaker';
import { pipelineNameOf } from '../../../shared/fan-out/identity';

export type FakeStatus = 'Executing' | 'Succeeded' | 'Failed' | 'Stopped';

export interface FakeChild {
  arn: string;
  pipeline: string;
  token: string;
  displayName: string | undefined;
  description: string | undefined;
  parameters: Array<{ Name?: string; Value?: string }>;
  parallelism: number | undefined;
  status: FakeStatus;
}

/** Decides, per start call, to fail it: an error to throw, or `after-start` (started, answer lost). */
export type StartFault = (input: StartPipelineExecutionCommandInput, call: number) => unknown;

/**
 * An in-memory SageMaker for batches: dedupes starts by (pipeline, ClientRequestToken) as
 * SageMaker documents, refuses a start past `quota` running executions with
 * ResourceLimitExceeded, and records the most executions ever running at once.
 */
export class FakeBatchSageMaker implements BatchSageMaker {
  readonly children: FakeChild[] = [];
  pipelines = new Set(['child-pipeline-1', 'child-pipeline-2']);
  quota = Number.POSITIVE_INFINITY;
  fault: StartFault | undefined;
  startCalls = 0;
  peakRunning = 0;
  /** Executions of other callers holding the quota. */
  foreignRunning = 0;

  running(): number {
    return this.children.filter((child) => child.status === 'Executing').length;
  }

  async startPipelineExecution(input: StartPipelineExecutionCommandInput) {
    this.startCalls++;
    const fault = this.fault?.(input, this.startCalls);
    if (fault !== undefined && fault !== 'after-start') throw fault;
    const pipeline = pipelineNameOf(input.PipelineName ?? '');
    if (!this.pipelines.has(pipeline)) {
      throw new ResourceNotFound({ message: `Pipeline ${pipeline} does not exist`, $metadata: {} });
    }
    const existing = this.children.find(
      (child) => child.pipeline === pipeline && child.token === input.ClientRequestToken,
    );
    if (existing) return { PipelineExecutionArn: existing.arn };
    if (this.running() + this.foreignRunning >= this.quota) {
      throw new ResourceLimitExceeded({
        message: `The account-level limit of ${this.quota} concurrent executions is reached`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    const child: FakeChild = {
      arn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${pipeline}/execution/${String(this.children.length + 1).padStart(12, '0')}`,
      pipeline,
      token: input.ClientRequestToken ?? '',
      displayName: input.PipelineExecutionDisplayName,
      description: input.PipelineExecutionDescription,
      parameters: input.PipelineParameters ?? [],
      parallelism: input.ParallelismConfiguration?.MaxParallelExecutionSteps,
      status: 'Executing',
    };
    this.children.push(child);
    this.peakRunning = Math.max(this.peakRunning, this.running());
    if (fault === 'after-start') throw serverError();
    return { PipelineExecutionArn: child.arn };
  }

  async describePipelineExecution(input: DescribePipelineExecutionCommandInput) {
    const child = this.children.find((c) => c.arn === input.PipelineExecutionArn);
    if (!child) throw new ResourceNotFound({ message: 'No such execution', $metadata: {} });
    return {
      PipelineExecutionArn: child.arn,
      PipelineExecutionStatus: child.status,
      FailureReason: child.status === 'Failed' ? `Step Train failed for ${child.arn}` : undefined,
    };
  }

  /** Ends a running child and returns the status-change event SageMaker would send. */
  end(child: FakeChild, status: Exclude<FakeStatus, 'Executing'> = 'Succeeded') {
    child.status = status;
    return statusEvent(child, status);
  }

  /** Children per (pipeline, display name), to spot duplicates. */
  countsByPair(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const child of this.children) {
      const key = `${child.pipeline}/${child.displayName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}

/** A `SageMaker Model Building Pipeline Execution Status Change` event for a child. */
export const statusEvent = (child: FakeChild, status: FakeStatus) => ({
  version: '0',
  id: `event-${child.arn}-${status}`,
  'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2026-12-01T10:00:00Z',
  region: 'us-east-1',
  resources: [child.arn.replace(/\/execution\/.*$/, ''), child.arn],
  detail: {
    pipelineExecutionDisplayName: child.displayName,
    currentPipelineExecutionStatus: status,
    pipelineExecutionDescription: child.description ?? '',
    pipelineArn: child.arn.replace(/\/execution\/.*$/, ''),
    pipelineExecutionArn: child.arn,
  },
});

export const throttling = () =>
  new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400, attempts: 3 },
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
