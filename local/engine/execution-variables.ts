/**
 * The `Execution.*` variables a definition may read (`{"Get": "Execution.PipelineName"}`), each with
 * how a running execution answers it. The names are the SDK's `ExecutionVariables`
 * (aws/sagemaker-python-sdk `src/sagemaker/workflow/execution_variables.py`); the two date-times are
 * ISO 8601 strings.
 */

/** What identifies one execution to the values it evaluates. */
export interface ExecutionIdentity {
  pipelineName: string;
  pipelineArn: string;
  executionArn: string;
  executionId: string;
  startTime: Date;
}

const READERS = {
  PipelineExecutionId: (identity) => identity.executionId,
  PipelineExecutionArn: (identity) => identity.executionArn,
  PipelineName: (identity) => identity.pipelineName,
  PipelineArn: (identity) => identity.pipelineArn,
  StartDateTime: (identity) => identity.startTime.toISOString(),
  CurrentDateTime: (_identity, clock) => clock().toISOString(),
} satisfies Record<string, (identity: ExecutionIdentity, clock: () => Date) => string>;

export type ExecutionVariable = keyof typeof READERS;

export const EXECUTION_VARIABLES = Object.keys(READERS) as readonly ExecutionVariable[];

export function isExecutionVariable(name: string): name is ExecutionVariable {
  return Object.hasOwn(READERS, name);
}

/** The value of `Execution.<variable>` in the execution `identity`, at `clock()` for the current time. */
export function readExecutionVariable(
  variable: ExecutionVariable,
  identity: ExecutionIdentity,
  clock: () => Date,
): string {
  return READERS[variable](identity, clock);
}
