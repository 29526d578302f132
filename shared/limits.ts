/**
 * Limits that SageMaker Pipelines imposes, taken from the SageMaker API model (botocore
 * `sagemaker/2017-07-24/service-2.json`; its pipeline shapes are derived into
 * `local/api/sagemaker-model.json`). Each constant names the shape it comes from so a
 * model update is easy to follow.
 */

/** `OutputParameter.Value` is a `String1024`: max 1024 characters. */
export const MAX_OUTPUT_VALUE_LENGTH = 1024;

/**
 * `FailureReason` (a step's): max 1024 characters. SageMaker keeps no more of a step's
 * failure reason, so no error message is worth writing longer.
 */
export const MAX_FAILURE_REASON_LENGTH = 1024;

/** `OutputParameterList` (a Lambda step's `OutputParameters`): max 50 members. */
export const MAX_OUTPUT_PARAMETERS = 50;

/**
 * `OutputParameter.Name` is a `String256`. The pipeline definition's Lambda step
 * declaration also requires a name usable as a property reference, so we keep the
 * conservative character set `[A-Za-z0-9_-]`.
 */
export const OUTPUT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/** `Parameter.Value` (a pipeline parameter passed to StartPipelineExecution) is a `String1024`. */
export const MAX_PARAMETER_VALUE_LENGTH = 1024;

/** `ParameterList` (`PipelineParameters` of StartPipelineExecution): max 200 members. */
export const MAX_PIPELINE_PARAMETERS = 200;

/** `PipelineParameterName`: 1 to 256 characters of `[A-Za-z0-9\-_]`. */
export const PIPELINE_PARAMETER_NAME_PATTERN = /^[A-Za-z0-9\-_]{1,256}$/;

/** `PipelineNameOrArn`: 1 to 2048 characters, a pipeline name optionally prefixed by its ARN. */
export const PIPELINE_NAME_OR_ARN_PATTERN =
  /^(arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:([0-9]{12}|aws):pipeline\/)?[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
export const MAX_PIPELINE_NAME_OR_ARN_LENGTH = 2048;

/** `PipelineExecutionName` (the display name): 1 to 82 characters. */
export const PIPELINE_EXECUTION_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;
export const MAX_PIPELINE_EXECUTION_NAME_LENGTH = 82;

/** `PipelineExecutionDescription` is a `String3072`-sized string: max 3072 characters. */
export const MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH = 3072;

/** `IdempotencyToken` (`ClientRequestToken`): 32 to 128 characters. */
export const MIN_CLIENT_REQUEST_TOKEN_LENGTH = 32;
export const MAX_CLIENT_REQUEST_TOKEN_LENGTH = 128;

/**
 * A LambdaStep waits at most 10 minutes for its function
 * (SageMaker Developer Guide, "Lambda step": "The Lambda step has a timeout of 10 minutes").
 */
export const LAMBDA_STEP_TIMEOUT_SECONDS = 600;

/** `MaxParallelExecutionSteps` (ParallelismConfiguration): an integer, min 1, no modelled maximum. */
export const MIN_MAX_PARALLEL_EXECUTION_STEPS = 1;

/** `MaxResults` of ListPipelineExecutions: 1 to 100 per page. */
export const MAX_LIST_PIPELINE_EXECUTIONS_RESULTS = 100;

/** `PipelineExecutionStatus` enum, as ListPipelineExecutions reports it. */
export const PIPELINE_EXECUTION_STATUSES = [
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
] as const;
