import {
  type Json,
  type ParameterDeclaration,
  type ParameterType,
  type Primitive,
  parseReference,
} from './definition';
import { LocalError } from './errors';
import type { ExecutionVariable } from './execution-variables';
import { FloatValue, pythonFloat } from './floats';

/** A value could not be computed (bad reference, Std:JsonGet, wrong type); fails the step. */
export class EvaluationError extends LocalError {}

/** What a value expression can read while a step runs. */
export interface Scope {
  parameters: ReadonlyMap<string, Primitive>;
  execution(variable: ExecutionVariable): string;
  /** Output of an earlier step; throws EvaluationError when it has none by that name. */
  stepOutput(step: string, output: string): Primitive;
  /**
   * Another property of an earlier step: `Steps.<Condition step>.Outcome`, a Boolean (the SDK's
   * ConditionStep has `Outcome` as its only property). Throws EvaluationError for anything else.
   */
  stepProperty(step: string, property: string): Primitive;
}

/** The error for a step property local mode cannot read. */
export function unavailableProperty(step: string, property: string): EvaluationError {
  return new EvaluationError(
    `'Steps.${step}.${property}' is not available in local mode: only Steps.<name>.OutputParameters['x'] of Lambda and Callback steps and Steps.<name>.Outcome of Condition steps can be read`,
  );
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A typed value as plain JSON: a Float becomes its number. */
function toJson(value: Primitive): Json {
  return value instanceof FloatValue ? value.value : value;
}

function isGet(value: Json): value is { Get: string } {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.Get === 'string';
}

/**
 * An evaluated primitive as text. A number written in the definition renders as an integer when
 * it is whole (JSON does not keep `2.0` apart from `2`), otherwise as a float; a reference keeps
 * its declared type instead (see joinPart).
 */
function literalText(value: Json): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : pythonFloat(value);
  return undefined;
}

/** A value as Std:Join renders it: a reference keeps its type, so a Float renders as a float. */
function joinPart(item: Json, scope: Scope): string {
  if (isGet(item)) return renderValue(resolveGet(item.Get, scope));
  const value = evaluate(item, scope);
  const text = literalText(value);
  if (text === undefined) {
    throw new EvaluationError(
      `Std:Join can only join primitive values, got ${JSON.stringify(value)}`,
    );
  }
  return text;
}

/** A value as text (a Fail step's ErrorMessage): one value as Std:Join renders it, else JSON. */
export function evaluateText(value: Json | undefined, scope: Scope): string {
  if (value === undefined || value === null) return '';
  if (isGet(value)) return renderValue(resolveGet(value.Get, scope));
  const evaluated = evaluate(value, scope);
  return literalText(evaluated) ?? JSON.stringify(evaluated);
}

function resolveGet(path: string, scope: Scope): Primitive {
  let reference: ReturnType<typeof parseReference>;
  try {
    reference = parseReference(path);
  } catch (error) {
    throw new EvaluationError((error as Error).message, { cause: error });
  }
  switch (reference.kind) {
    case 'parameter': {
      const value = scope.parameters.get(reference.name);
      if (value === undefined) throw new EvaluationError(`unknown parameter '${path}'`);
      return value;
    }
    case 'execution':
      return scope.execution(reference.variable);
    case 'stepOutput':
      return scope.stepOutput(reference.step, reference.output);
    case 'stepProperty':
      return scope.stepProperty(reference.step, reference.property);
  }
}

/**
 * Evaluates a definition value: `{"Get": ...}`, `{"Std:Join": {"On", "Values"}}`, literals, and
 * objects or lists containing them.
 * @throws EvaluationError, e.g. for `Std:JsonGet` (no local step writes property files).
 */
export function evaluate(value: Json | undefined, scope: Scope): Json {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value.Get === 'string')
    return toJson(resolveGet(value.Get, scope));
  if (keys.length === 1 && 'Std:Join' in value) {
    const join = value['Std:Join'];
    if (!isObject(join) || !Array.isArray(join.Values)) {
      throw new EvaluationError(
        `Std:Join needs {"On": string, "Values": [...]}, got ${JSON.stringify(join)}`,
      );
    }
    const on = join.On === undefined ? '' : evaluate(join.On, scope);
    if (typeof on !== 'string')
      throw new EvaluationError(`Std:Join "On" must be a string, got ${JSON.stringify(on)}`);
    return join.Values.map((item) => joinPart(item, scope)).join(on);
  }
  if (keys.length === 1 && 'Std:JsonGet' in value) {
    throw new EvaluationError(
      `Std:JsonGet is not supported in local mode: it reads a property file of a Processing step, and no local step produces property files (${JSON.stringify(value['Std:JsonGet'])})`,
    );
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, evaluate(child, scope)]),
  );
}

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Converts a string (a StartPipelineExecution parameter value or a Callback output) to its
 * declared type; returns undefined when it does not parse as that type.
 */
export function parseTyped(type: ParameterType, raw: string): Primitive | undefined {
  switch (type) {
    case 'String':
      return raw;
    case 'Integer':
      return INTEGER.test(raw.trim()) ? Number.parseInt(raw.trim(), 10) : undefined;
    case 'Float':
      return FLOAT.test(raw.trim()) ? new FloatValue(Number.parseFloat(raw.trim())) : undefined;
    case 'Boolean': {
      const lowered = raw.trim().toLowerCase();
      if (lowered === 'true') return true;
      if (lowered === 'false') return false;
      return undefined;
    }
  }
}

/**
 * A value returned by a function as an output of its declared type (a Float kept as a Float), or
 * undefined when it is not of that type.
 */
export function typedOutput(type: ParameterType, value: unknown): Primitive | undefined {
  if (!matchesType(type, value)) return undefined;
  return type === 'Float' ? new FloatValue(value as number) : (value as Primitive);
}

/** Whether a value returned by a function matches an output's declared type. */
export function matchesType(type: ParameterType, value: unknown): boolean {
  switch (type) {
    case 'String':
      return typeof value === 'string';
    case 'Integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'Boolean':
      return typeof value === 'boolean';
  }
}

/** The value a parameter takes when a start request does not set it, if it has a default. */
export function defaultValue(parameter: ParameterDeclaration): Primitive | undefined {
  const value = parameter.DefaultValue;
  if (parameter.Type === 'Float' && typeof value === 'number') return new FloatValue(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return undefined;
}

/**
 * Renders a typed value the way SageMaker lists it (parameters and step outputs are strings):
 * Booleans as true/false (the SDK's FailStep + Join integration test), Floats as floats.
 */
export function renderValue(value: Primitive): string {
  return typeof value === 'string' ? value : String(value);
}
