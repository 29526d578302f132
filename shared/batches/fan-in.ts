import {
  type SageMakerClient,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';

/** The SageMaker operations of fan-in: stopping children and answering a Callback step. */
export interface FanInSageMaker {
  stopPipelineExecution(input: {
    PipelineExecutionArn: string;
    ClientRequestToken: string;
  }): Promise<unknown>;
  sendPipelineExecutionStepSuccess(input: {
    CallbackToken: string;
    ClientRequestToken: string;
    OutputParameters: Array<{ Name: string; Value: string }>;
  }): Promise<unknown>;
  sendPipelineExecutionStepFailure(input: {
    CallbackToken: string;
    ClientRequestToken: string;
    FailureReason: string;
  }): Promise<unknown>;
}

/** Where results manifests go: an object store written a part at a time. */
export interface ResultsStore {
  /**
   * Writes the object `key` from `lines`, never holding more than one part in memory.
   * @returns the object's URI (`s3://bucket/key`, or `file://...` for a local store).
   */
  writeLines(key: string, lines: AsyncIterable<string>): Promise<string>;
}

/** What batches need to answer Callback steps and write results. */
export interface FanInDeps {
  sagemaker: FanInSageMaker;
  /** Absent when no results bucket is configured: no manifest is written. */
  results: ResultsStore | undefined;
  /** Key prefix of the manifests: `<resultsPrefix>/<batchId>/results.jsonl`. */
  resultsPrefix: string;
}

export const fanInSageMakerPort = (client: SageMakerClient): FanInSageMaker => ({
  stopPipelineExecution: (input) => client.send(new StopPipelineExecutionCommand(input)),
  sendPipelineExecutionStepSuccess: (input) =>
    client.send(new SendPipelineExecutionStepSuccessCommand(input)),
  sendPipelineExecutionStepFailure: (input) =>
    client.send(new SendPipelineExecutionStepFailureCommand(input)),
});
