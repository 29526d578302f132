/**
 * Pipeline definitions (JSON schema version 2020-12-01): types, parsing and the static checks
 * `CreatePipeline` runs (the step and condition rules of rules.ts, duplicate step names, unknown
 * references, cycles).
 */

import { LocalError } from './errors';
import {
  EXECUTION_VARIABLES,
  type ExecutionVariable,
  isExecutionVariable,
} from './execution-variables';
import type { FloatValue } from './floats';
import { conditionProblem, shown, stepProblem } from './rules';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A typed value: a parameter, a step output or a Condition's Outcome. Floats keep their type. */
export type Primitive = string | number | boolean | FloatValue;

export const PARAMETER_TYPES = ['String', 'Integer', 'Float', 'Boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterDeclaration {
  Name: string;
  Type: ParameterType;
  DefaultValue?: Json;
}

export interface OutputParameterDeclaration {
  OutputName: string;
  OutputType: ParameterType;
}

export interface StepDeclaration {
  Name: string;
  Type: string;
  Arguments?: Json;
  DependsOn?: string[];
  FunctionArn?: Json;
  SqsQueueUrl?: Json;
  OutputParameters?: OutputParameterDeclaration[];
  [key: string]: unknown;
}

export interface PipelineDefinition {
  Version: string;
  Metadata?: Json;
  Parameters?: ParameterDeclaration[];
  PipelineExperimentConfig?: { [key: string]: Json };
  Steps: StepDeclaration[];
}

/** A step of the flattened DAG: where it sits (a Condition branch or the top level) and its inputs. */
export interface StepNode {
  step: StepDeclaration;
  /** Set for steps listed in a Condition's IfSteps (`True`) or ElseSteps (`False`). */
  branch?: { condition: string; outcome: 'True' | 'False' };
  /** Steps that must end before this one starts: DependsOn, data references, its Condition. */
  dependsOn: string[];
}

export interface CompiledDefinition {
  definition: PipelineDefinition;
  parameters: Map<string, ParameterDeclaration>;
  /** Every step, nested branch steps included, in declaration order. */
  steps: Map<string, StepNode>;
}

/** A definition that SageMaker would reject; the message names the offending step or value. */
export class DefinitionError extends LocalError {}

export type Reference =
  | { kind: 'parameter'; name: string }
  | { kind: 'execution'; variable: ExecutionVariable }
  | { kind: 'stepOutput'; step: string; output: string }
  | { kind: 'stepProperty'; step: string; property: string };

const STEP_OUTPUT = /^Steps\.([^.]+)\.OutputParameters\[(['"])(.+)\2\]$/;
const STEP_PROPERTY = /^Steps\.([^.]+)\.(.+)$/;

/** Parses the path of a `{"Get": path}` value; throws DefinitionError on an unknown form. */
export function parseReference(path: string): Reference {
  if (path.startsWith('Parameters.')) {
    return { kind: 'parameter', name: path.slice('Parameters.'.length) };
  }
  if (path.startsWith('Execution.')) {
    const variable = path.slice('Execution.'.length);
    if (!isExecutionVariable(variable)) {
      throw new DefinitionError(
        `unknown execution variable '${path}' (known: ${EXECUTION_VARIABLES.map((v) => `Execution.${v}`).join(', ')})`,
      );
    }
    return { kind: 'execution', variable };
  }
  const output = STEP_OUTPUT.exec(path);
  if (output?.[1] && output[3]) return { kind: 'stepOutput', step: output[1], output: output[3] };
  const property = STEP_PROPERTY.exec(path);
  if (property?.[1] && property[2]) {
    return { kind: 'stepProperty', step: property[1], property: property[2] };
  }
  throw new DefinitionError(`unsupported reference '${path}'`);
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `Get` path inside a value (Std:Join and Std:JsonGet operands included). */
export function collectReferences(value: Json | undefined, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (isObject(value)) {
    const get = value.Get;
    if (typeof get === 'string' && Object.keys(value).length === 1) {
      into.push(get);
      return into;
    }
    for (const child of Object.values(value)) collectReferences(child, into);
  }
  return into;
}

function asStepList(value: Json | undefined, where: string): StepDeclaration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DefinitionError(`${where} must be a list of steps`);
  return value.map((item, index) => {
    if (!isObject(item)) throw new DefinitionError(`${where}[${index}] must be a step object`);
    return item as unknown as StepDeclaration;
  });
}

function checkStepShape(step: StepDeclaration, where: string): void {
  if (!isObject(step)) throw new DefinitionError(`${where} must be a step object`);
  if (typeof step.Name !== 'string' || step.Name.length === 0) {
    throw new DefinitionError(`${where} has no Name`);
  }
  if (typeof step.Type !== 'string' || step.Type.length === 0) {
    throw new DefinitionError(`step '${shown(step.Name)}' has no Type`);
  }
  const problem = stepProblem(step);
  if (problem) throw new DefinitionError(problem);
  if (
    step.DependsOn !== undefined &&
    (!Array.isArray(step.DependsOn) || step.DependsOn.some((d) => typeof d !== 'string'))
  ) {
    throw new DefinitionError(`step '${step.Name}': DependsOn must be a list of step names`);
  }
  if (step.OutputParameters !== undefined) {
    if (!Array.isArray(step.OutputParameters)) {
      throw new DefinitionError(`step '${step.Name}': OutputParameters must be a list`);
    }
    for (const output of step.OutputParameters) {
      if (!isObject(output) || typeof output.OutputName !== 'string') {
        throw new DefinitionError(`step '${step.Name}': every output needs an OutputName`);
      }
      if (!(PARAMETER_TYPES as readonly string[]).includes(output.OutputType)) {
        throw new DefinitionError(
          `step '${step.Name}': output '${output.OutputName}' has OutputType '${String(output.OutputType)}' (expected ${PARAMETER_TYPES.join(', ')})`,
        );
      }
    }
  }
}

function checkParameters(parameters: unknown): Map<string, ParameterDeclaration> {
  const byName = new Map<string, ParameterDeclaration>();
  if (parameters === undefined) return byName;
  if (!Array.isArray(parameters)) throw new DefinitionError('Parameters must be a list');
  for (const [index, parameter] of parameters.entries()) {
    if (!isObject(parameter) || typeof parameter.Name !== 'string' || parameter.Name === '') {
      throw new DefinitionError(`Parameters[${index}] has no Name`);
    }
    const name = parameter.Name;
    if (!(PARAMETER_TYPES as readonly string[]).includes(parameter.Type as string)) {
      throw new DefinitionError(
        `parameter '${name}' has Type '${String(parameter.Type)}' (expected ${PARAMETER_TYPES.join(', ')})`,
      );
    }
    if (byName.has(name)) throw new DefinitionError(`duplicate parameter name '${name}'`);
    const declaration = parameter as unknown as ParameterDeclaration;
    if (declaration.DefaultValue !== undefined && declaration.DefaultValue !== null) {
      checkDefault(declaration);
    }
    byName.set(name, declaration);
  }
  return byName;
}

function checkDefault(parameter: ParameterDeclaration): void {
  const value = parameter.DefaultValue;
  const ok =
    (parameter.Type === 'String' && typeof value === 'string') ||
    (parameter.Type === 'Integer' && typeof value === 'number' && Number.isInteger(value)) ||
    (parameter.Type === 'Float' && typeof value === 'number') ||
    (parameter.Type === 'Boolean' && typeof value === 'boolean');
  if (!ok) {
    throw new DefinitionError(
      `parameter '${parameter.Name}' of Type ${parameter.Type} has DefaultValue ${JSON.stringify(value)}`,
    );
  }
}

/** Steps of a cycle named in the error; the rest are counted. */
const MAX_CYCLE_STEPS_SHOWN = 20;

/** A cycle in the step graph, as the list of steps around it; iterative, so 10,000 steps are fine. */
function findCycle(steps: Map<string, StepNode>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of steps.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    state.set(start, 'visiting');
    while (path.length > 0) {
      const top = path.length - 1;
      const name = path[top] as string;
      const dependencies = steps.get(name)?.dependsOn ?? [];
      const index = next[top] as number;
      if (index >= dependencies.length) {
        state.set(name, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[top] = index + 1;
      const dependency = dependencies[index] as string;
      const seen = state.get(dependency);
      if (seen === 'visiting') return [...path.slice(path.indexOf(dependency)), dependency];
      if (seen === undefined) {
        state.set(dependency, 'visiting');
        path.push(dependency);
        next.push(0);
      }
    }
  }
  return undefined;
}

/**
 * Parses and checks a definition the way `CreatePipeline` does, and builds the step DAG.
 * @throws DefinitionError naming the duplicate step, unknown reference or cycle.
 */
export function compileDefinition(text: string): CompiledDefinition {
  try {
    return compile(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new DefinitionError('pipeline definition nests too deeply to analyse', {
        cause: error,
      });
    }
    throw error;
  }
}

function compile(text: string): CompiledDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(
      `pipeline definition is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!isObject(parsed)) throw new DefinitionError('pipeline definition must be a JSON object');
  const definition = parsed as unknown as PipelineDefinition;
  if (definition.Version !== '2020-12-01') {
    throw new DefinitionError(
      `unsupported definition Version ${JSON.stringify(definition.Version)} (expected "2020-12-01")`,
    );
  }
  const parameters = checkParameters(definition.Parameters);
  const topLevel = asStepList(definition.Steps as unknown as Json, 'Steps');
  if (topLevel.length === 0) throw new DefinitionError('pipeline definition has no Steps');

  const steps = new Map<string, StepNode>();
  const add = (list: StepDeclaration[], where: string, branch?: StepNode['branch']) => {
    list.forEach((step, index) => {
      checkStepShape(step, `${where}[${index}]`);
      if (steps.has(step.Name)) throw new DefinitionError(`duplicate step name '${step.Name}'`);
      steps.set(step.Name, { step, ...(branch ? { branch } : {}), dependsOn: [] });
      if (step.Type === 'Condition') {
        const args = isObject(step.Arguments) ? step.Arguments : {};
        if (!Array.isArray(args.Conditions)) {
          throw new DefinitionError(
            `condition step '${step.Name}' has no Arguments.Conditions list`,
          );
        }
        for (const condition of args.Conditions) {
          const problem = conditionProblem(condition);
          if (problem) throw new DefinitionError(`step '${step.Name}': ${problem}`);
        }
        add(asStepList(args.IfSteps, `${step.Name}.IfSteps`), `${step.Name}.IfSteps`, {
          condition: step.Name,
          outcome: 'True',
        });
        add(asStepList(args.ElseSteps, `${step.Name}.ElseSteps`), `${step.Name}.ElseSteps`, {
          condition: step.Name,
          outcome: 'False',
        });
      }
    });
  };
  add(topLevel, 'Steps');

  for (const [name, node] of steps) {
    const dependencies = new Set<string>();
    for (const dependency of node.step.DependsOn ?? []) {
      const target = steps.get(dependency);
      if (!target) {
        throw new DefinitionError(`step '${name}' depends on unknown step '${dependency}'`);
      }
      // SageMaker refuses this with "CondStep can not depends on FailStep" (SDK integ test
      // test_fail_steps.py::test_invalid_pipeline_depended_on_fail_step, where the steps are
      // named CondStep and FailStep). Whether SageMaker's message names the steps or their types
      // is not published: this one keeps that phrase and names both steps.
      if (node.step.Type === 'Condition' && target.step.Type === 'Fail') {
        throw new DefinitionError(
          `CondStep can not depends on FailStep: Condition step '${name}' depends on Fail step '${dependency}'`,
        );
      }
      dependencies.add(dependency);
    }
    if (node.branch) dependencies.add(node.branch.condition);
    // A Condition's own arguments hold its branch steps; their references belong to them.
    const ownFields: Json[] = Object.entries(node.step)
      .filter(([key]) => key !== 'Arguments' || node.step.Type !== 'Condition')
      .map(([, value]) => value as Json);
    if (node.step.Type === 'Condition' && isObject(node.step.Arguments)) {
      ownFields.push(node.step.Arguments.Conditions ?? null);
    }
    for (const path of collectReferences(ownFields)) {
      let reference: Reference;
      try {
        reference = parseReference(path);
      } catch (error) {
        throw new DefinitionError(`step '${name}': ${(error as Error).message}`, { cause: error });
      }
      if (reference.kind === 'parameter' && !parameters.has(reference.name)) {
        throw new DefinitionError(`step '${name}' references unknown parameter '${path}'`);
      }
      if (reference.kind === 'stepOutput' || reference.kind === 'stepProperty') {
        const target = steps.get(reference.step);
        if (!target) {
          throw new DefinitionError(`step '${name}' references unknown step in '${path}'`);
        }
        if (
          reference.kind === 'stepOutput' &&
          !(target.step.OutputParameters ?? []).some((o) => o.OutputName === reference.output)
        ) {
          throw new DefinitionError(
            `step '${name}' references output '${reference.output}' that step '${reference.step}' does not declare`,
          );
        }
        dependencies.add(reference.step);
      }
    }
    node.dependsOn = [...dependencies];
  }
  for (const path of collectReferences(definition.PipelineExperimentConfig ?? null)) {
    const reference = parseReference(path);
    if (reference.kind === 'stepOutput' || reference.kind === 'stepProperty') {
      throw new DefinitionError(`PipelineExperimentConfig cannot reference a step ('${path}')`);
    }
    if (reference.kind === 'parameter' && !parameters.has(reference.name)) {
      throw new DefinitionError(`PipelineExperimentConfig references unknown parameter '${path}'`);
    }
  }

  const cycle = findCycle(steps);
  if (cycle) {
    // A long ring would make a message of many kilobytes: name its first steps and count it.
    const shown =
      cycle.length <= MAX_CYCLE_STEPS_SHOWN ? cycle : cycle.slice(0, MAX_CYCLE_STEPS_SHOWN);
    const rest = cycle.length - shown.length;
    throw new DefinitionError(
      `steps form a cycle: ${shown.join(' -> ')}${rest > 0 ? ` -> ... (${cycle.length - 1} steps in all)` : ''}`,
    );
  }
  return { definition, parameters, steps };
}
