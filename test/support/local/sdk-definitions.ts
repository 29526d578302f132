/**
 * Pipeline definitions as the SageMaker Python SDK writes them (`Pipeline.definition()`):
 * Version 2020-12-01, Metadata, Parameters, PipelineExperimentConfig and Steps, with Condition
 * branches nested in the Condition step's Arguments.
 */
import { outputParameters } from '../../../shared/lambda-step';
import { arn } from './runtime';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const EXPERIMENT: Json = {
  ExperimentName: { Get: 'Execution.PipelineName' },
  TrialName: { Get: 'Execution.PipelineExecutionId' },
};

/** `Pipeline(name, parameters, steps).definition()`. */
export function sdkDefinition(steps: Json[], parameters: Json[] = []): string {
  return JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: parameters,
    PipelineExperimentConfig: EXPERIMENT,
    Steps: steps,
  });
}

/** `FailStep(name, error_message=...)`; the SDK writes an empty message when none is given. */
export const failStep = (name: string, message: Json = ''): Json => ({
  Name: name,
  Type: 'Fail',
  Arguments: { ErrorMessage: message },
});

/** `ConditionStep(name, conditions=[ConditionEquals(left, right)], if_steps, else_steps)`. */
export const equalsStep = (
  name: string,
  left: Json,
  right: Json,
  ifSteps: Json[] = [],
  elseSteps: Json[] = [],
): Json => ({
  Name: name,
  Type: 'Condition',
  Arguments: {
    Conditions: [{ Type: 'Equals', LeftValue: left, RightValue: right }],
    IfSteps: ifSteps,
    ElseSteps: elseSteps,
  },
});

/** `LambdaStep(name, lambda_func=Lambda(function_arn=...), inputs, outputs)`. */
export const sdkLambdaStep = (
  name: string,
  fn: string,
  inputs: Json = {},
  outputs: Record<string, 'String' | 'Integer' | 'Float' | 'Boolean'> = {},
  dependsOn: string[] = [],
): Json => ({
  Name: name,
  Type: 'Lambda',
  Arguments: inputs,
  ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
  FunctionArn: arn(fn),
  OutputParameters: outputParameters(outputs),
});

/** `ParameterInteger(name, default_value)`. */
export const integerParameter = (name: string, value?: number): Json => ({
  Name: name,
  Type: 'Integer',
  ...(value !== undefined ? { DefaultValue: value } : {}),
});

/** `ParameterString(name, default_value)`. */
export const stringParameter = (name: string, value?: string): Json => ({
  Name: name,
  Type: 'String',
  ...(value !== undefined ? { DefaultValue: value } : {}),
});
