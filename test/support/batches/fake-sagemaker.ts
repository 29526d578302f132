import {
  type DescribePipelineExecutionCommandInput,
  ResourceNotFound,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-sagemaker';
import type { BatchSageMaker } from '../../../shared/batches/sagemaker';
import {
  type FakeExecution,
  FakeSageMaker,
  type FakeStatus,
  type Fault,
  serverError,
  throttling,
  validationError,
} from '../sagemaker/fake-sagemaker';

export type { FakeStatus };
export { serverError, throttling, validationError };

/** A child execution of a batch. */
export type FakeChild = FakeExecution;

/** Decides, per start call, to fail it: an error to throw, or `after-start` (started, answer lost). */
export type StartFault = Fault;

/** The in-memory SageMaker (see {@link FakeSageMaker}) behind the batches' SageMaker port. */
export class FakeBatchSageMaker extends FakeSageMaker implements BatchSageMaker {
  override pipelines = new Set(['child-pipeline-1', 'child-pipeline-2']);

  get children(): FakeChild[] {
    return this.executions;
  }

  startPipelineExecution(input: StartPipelineExecutionCommandInput) {
    return this.start(input);
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
}

/** A `SageMaker Model Building Pipeline Execution Status Change` event for a child. */
export const statusEvent = (
  child: Omit<FakeChild, 'created' | 'createdTime'>,
  status: FakeStatus,
) => ({
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
