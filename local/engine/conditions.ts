import type { Json } from './definition';
import { CONDITION_TYPES } from './rules';
import { EvaluationError, evaluate, type Scope } from './values';

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asNumber(value: Json): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** Equality across the types a parameter or output can have ("2" equals 2, "true" equals true). */
function equals(left: Json, right: Json): boolean {
  if (typeof left === typeof right) return JSON.stringify(left) === JSON.stringify(right);
  if (typeof left === 'boolean' || typeof right === 'boolean') {
    return String(left).toLowerCase() === String(right).toLowerCase();
  }
  const l = asNumber(left);
  const r = asNumber(right);
  return l !== undefined && r !== undefined && l === r;
}

function compare(type: string, left: Json, right: Json): boolean {
  let l: number | string | undefined = asNumber(left);
  let r: number | string | undefined = asNumber(right);
  if (l === undefined || r === undefined) {
    if (typeof left === 'string' && typeof right === 'string') {
      l = left;
      r = right;
    } else {
      throw new EvaluationError(
        `${type} compares numbers (or two strings), got ${JSON.stringify(left)} and ${JSON.stringify(right)}`,
      );
    }
  }
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
        equals(evaluate(condition.LeftValue, scope), evaluate(condition.RightValue, scope)) ===
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
      const found = values.some((candidate) => equals(query, evaluate(candidate, scope)));
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
