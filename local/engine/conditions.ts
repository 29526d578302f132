import type { Json } from './definition';
import { CONDITION_TYPES } from './rules';
import { EvaluationError, evaluate, type Scope } from './values';

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Conditions compare numbers with numbers (Integer and Float alike), strings with strings and
 * Booleans with Booleans, never converting one into another:
 * - The SDK's integration test test_pipeline_var_behaviors.py::test_ppl_var_to_string_and_add
 *   compares a String parameter with an Integer one only after turning the Integer into a string
 *   (`param_int.to_string()`, a Std:Join), and GreaterThan on those two strings runs.
 * - The SDK's local mode (sagemaker/local/pipeline.py, `_resolve_binary_condition`) fails an
 *   Equals whose values are "not of the same type" and lets Python order two strings
 *   lexicographically; `_resolve_in_condition` tests membership with Python's `in`, where values
 *   of another type are simply not equal.
 * What SageMaker reports for mismatched types is not published: local mode fails the Condition
 * step, naming both values. Two strings order by UTF-16 code units (JavaScript's `<`), which
 * agrees with Python's code point order except between astral characters and U+E000-U+FFFF.
 */
type Kind = 'Number' | 'String' | 'Boolean';

function kindOf(value: Json): Kind | undefined {
  if (typeof value === 'number') return 'Number';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  return undefined;
}

function describe(value: Json): string {
  return `${JSON.stringify(value)} (${kindOf(value) ?? (value === null ? 'nothing' : 'an object')})`;
}

function mismatch(type: string, left: Json, right: Json): EvaluationError {
  return new EvaluationError(
    `${type}: LeftValue ${describe(left)} and RightValue ${describe(right)} are not of the same type`,
  );
}

function sameKind(left: Json, right: Json): boolean {
  const kind = kindOf(left);
  return kind !== undefined && kind === kindOf(right);
}

function equals(type: string, left: Json, right: Json): boolean {
  if (!sameKind(left, right)) throw mismatch(type, left, right);
  return left === right;
}

function compare(type: string, left: Json, right: Json): boolean {
  if (!sameKind(left, right)) throw mismatch(type, left, right);
  if (typeof left === 'boolean') {
    throw new EvaluationError(
      `${type} orders numbers or strings, got ${describe(left)} and ${describe(right)}`,
    );
  }
  const l = left as number | string;
  const r = right as number | string;
  switch (type) {
    case 'GreaterThan':
      return l > r;
    case 'GreaterThanOrEqualTo':
      return l >= r;
    case 'LessThan':
      return l < r;
    default:
      return l <= r;
  }
}

/** Evaluates one condition of a Condition step's `Conditions` list. */
export function evaluateCondition(condition: Json, scope: Scope): boolean {
  if (!isObject(condition) || typeof condition.Type !== 'string') {
    throw new EvaluationError(`a condition needs a Type, got ${JSON.stringify(condition)}`);
  }
  switch (condition.Type) {
    case 'Equals':
    case 'NotEquals':
      return (
        equals(
          condition.Type,
          evaluate(condition.LeftValue, scope),
          evaluate(condition.RightValue, scope),
        ) ===
        (condition.Type === 'Equals')
      );
    case 'GreaterThan':
    case 'GreaterThanOrEqualTo':
    case 'LessThan':
    case 'LessThanOrEqualTo':
      return compare(
        condition.Type,
        evaluate(condition.LeftValue, scope),
        evaluate(condition.RightValue, scope),
      );
    case 'In':
    case 'NotIn': {
      // The SDK writes QueryValue and Values; the schema's InCondition spells them Value and In.
      const query = evaluate(condition.QueryValue ?? condition.Value, scope);
      const values = condition.Values ?? condition.In;
      if (!Array.isArray(values)) {
        throw new EvaluationError(
          `${condition.Type} needs a Values list, got ${JSON.stringify(values)}`,
        );
      }
      const found = values.some((candidate) => {
        const value = evaluate(candidate, scope);
        return sameKind(query, value) && query === value;
      });
      return found === (condition.Type === 'In');
    }
    case 'Not':
      // `Condition`, as the SDK writes it since SageMaker refused `Expression` (SDK PR #4351).
      return !evaluateCondition(condition.Condition ?? null, scope);
    case 'Or': {
      if (!Array.isArray(condition.Conditions)) {
        throw new EvaluationError(
          `Or needs a Conditions list, got ${JSON.stringify(condition.Conditions)}`,
        );
      }
      return condition.Conditions.some((inner) => evaluateCondition(inner, scope));
    }
    default:
      throw new EvaluationError(
        `unknown condition type '${condition.Type}' (supported: ${CONDITION_TYPES.join(', ')})`,
      );
  }
}

/** A Condition step's outcome: its `Conditions` list is AND-ed. */
export function evaluateConditions(conditions: Json, scope: Scope): boolean {
  if (!Array.isArray(conditions)) {
    throw new EvaluationError(`Conditions must be a list, got ${JSON.stringify(conditions)}`);
  }
  return conditions.every((condition) => evaluateCondition(condition, scope));
}
