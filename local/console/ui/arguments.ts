/**
 * A step's arguments as the runtime evaluated them. ListPipelineExecutionSteps does not return
 * them (SageMaker's step metadata has none), so the console evaluates the declaration again with
 * the runtime's own evaluator, from the execution's parameters and the outputs its steps reported.
 * `Execution.CurrentDateTime` is not recorded anywhere and is shown as not evaluated.
 */
import type { Json, ParameterType, Primitive } from '../../engine/definition';
import { executionScope } from '../../engine/interpreter';
import { EvaluationError, evaluate, parseTyped } from '../../engine/values';
import type { ExecutionStep, NameValue } from './api';
import type { PipelineGraph } from './graph';

export interface EvaluationContext {
  graph: PipelineGraph;
  parameters: NameValue[];
  steps: ExecutionStep[];
  executionArn: string;
  pipelineArn: string;
  startTime: Date;
}

/** A value that could not be evaluated: the expression and why. */
export interface Unevaluated {
  expression: Json;
  reason: string;
}

export type EvaluatedValue = { value: Json } | Unevaluated;

/** Arguments evaluated field by field (an object), or as one value. */
export type EvaluatedArguments =
  | { kind: 'fields'; fields: [string, EvaluatedValue][] }
  | { kind: 'whole'; result: EvaluatedValue };

export function isUnevaluated(value: EvaluatedValue): value is Unevaluated {
  return 'reason' in value;
}

const TYPES: readonly string[] = ['String', 'Integer', 'Float', 'Boolean'];

function typed(type: string, raw: string): Primitive {
  if (!TYPES.includes(type)) return raw;
  return parseTyped(type as ParameterType, raw) ?? raw;
}

function reportedOutputs(step: ExecutionStep): NameValue[] {
  const metadata = step.Metadata ?? {};
  return metadata.Lambda?.OutputParameters ?? metadata.Callback?.OutputParameters ?? [];
}

/** Evaluates each top-level field of `value` on its own, so one unknown does not hide the rest. */
export function evaluateArguments(
  value: Json | undefined,
  context: EvaluationContext,
): EvaluatedArguments {
  const declarations = new Map(context.graph.parameters.map((p) => [p.Name, p.Type]));
  const parameters = new Map<string, Primitive>(
    context.parameters.map((p) => [p.Name, typed(declarations.get(p.Name) ?? 'String', p.Value)]),
  );
  const pipelineName = context.pipelineArn.slice(context.pipelineArn.indexOf(':pipeline/') + 10);
  const scope = executionScope(
    {
      pipelineName,
      pipelineArn: context.pipelineArn,
      executionArn: context.executionArn,
      executionId: context.executionArn.split('/').at(-1) ?? '',
      startTime: context.startTime,
    },
    parameters,
    () => {
      throw new EvaluationError('Execution.CurrentDateTime is not recorded after the step ran');
    },
    (stepName, output) => {
      const step = context.steps.find((s) => s.StepName === stepName);
      const reported = step ? reportedOutputs(step).find((o) => o.Name === output) : undefined;
      if (!reported) {
        throw new EvaluationError(`step '${stepName}' has not reported output '${output}'`);
      }
      const declared = context.graph.nodes
        .find((n) => n.name === stepName)
        ?.outputs.find((o) => o.OutputName === output);
      return typed(declared?.OutputType ?? 'String', reported.Value);
    },
  );
  const one = (expression: Json): EvaluatedValue => {
    try {
      return { value: evaluate(expression, scope) };
    } catch (error) {
      return { expression, reason: error instanceof Error ? error.message : String(error) };
    }
  };
  const isExpression =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    ['Get', 'Std:Join', 'Std:JsonGet'].some((key) => key in value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isExpression) {
    return {
      kind: 'fields',
      fields: Object.entries(value).map(([key, child]) => [key, one(child)]),
    };
  }
  return { kind: 'whole', result: one(value ?? null) };
}
