/**
 * EventBridge event pattern matching, per the EventBridge User Guide: "Amazon EventBridge event
 * patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html) and
 * "Comparison operators for use in event patterns"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
 * - every field of the pattern must match (AND); the values in a field's array are alternatives
 *   (OR); a nested object matches the event's nested object;
 * - a field whose event value is an array matches when any element matches;
 * - literal values match exactly (strings case-sensitively, numbers by value, `null`);
 * - operators: `prefix`, `suffix` (each also with `equals-ignore-case`), `equals-ignore-case`,
 *   `anything-but` (a value, a list, or `prefix`/`suffix`), `numeric` (`=`, `<`, `<=`, `>`, `>=`
 *   in pairs), `exists` (`false` matches an absent field), `wildcard` (`*`), `cidr` (IPv4);
 * - `$or` at any level: the object matches when any of its sub-patterns does.
 * Only `exists: false` (and `anything-but`, which needs the field) consider absent fields:
 * everything else requires the field to be present.
 */
import { LocalError } from '../errors';

type Value = unknown;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A pattern that cannot be used (EventBridge would refuse it when creating the rule). */
export class EventPatternError extends LocalError {}

const wildcardRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
};

const cidrMatches = (range: string, value: Value): boolean => {
  const [network = '', bitsText = '32'] = range.split('/');
  const base = ipv4(network);
  const address = typeof value === 'string' ? ipv4(value) : undefined;
  const bits = Number(bitsText);
  if (base === undefined || address === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(base / size) === Math.floor(address / size);
};

const stringOperator = (
  spec: unknown,
  value: Value,
  test: (value: string, operand: string) => boolean,
): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof spec === 'string') return test(value, spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), spec['equals-ignore-case'].toLowerCase());
  }
  throw new EventPatternError(`unsupported operand ${JSON.stringify(spec)}`);
};

const numericMatches = (conditions: unknown, value: Value): boolean => {
  if (!Array.isArray(conditions) || conditions.length % 2 !== 0) {
    throw new EventPatternError(
      `numeric needs operator/value pairs, got ${JSON.stringify(conditions)}`,
    );
  }
  if (typeof value !== 'number') return false;
  for (let at = 0; at < conditions.length; at += 2) {
    const operator = conditions[at];
    const operand = Number(conditions[at + 1]);
    const holds =
      operator === '='
        ? value === operand
        : operator === '<'
          ? value < operand
          : operator === '<='
            ? value <= operand
            : operator === '>'
              ? value > operand
              : operator === '>='
                ? value >= operand
                : undefined;
    if (holds === undefined)
      throw new EventPatternError(`unknown numeric operator ${String(operator)}`);
    if (!holds) return false;
  }
  return true;
};

/** Whether one matcher (an element of a pattern field's array) matches one present value. */
const matcherMatches = (matcher: unknown, value: Value): boolean => {
  if (!isObject(matcher)) {
    if (typeof matcher === 'number') return typeof value === 'number' && value === matcher;
    return value === matcher;
  }
  const [operator, ...others] = Object.keys(matcher);
  if (operator === undefined || others.length > 0) {
    throw new EventPatternError(`a matcher has one operator, got ${JSON.stringify(matcher)}`);
  }
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return stringOperator(operand, value, (text, start) => text.startsWith(start));
    case 'suffix':
      return stringOperator(operand, value, (text, end) => text.endsWith(end));
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'wildcard':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        wildcardRegExp(operand).test(value)
      );
    case 'numeric':
      return numericMatches(operand, value);
    case 'cidr':
      return typeof operand === 'string' && cidrMatches(operand, value);
    case 'anything-but': {
      if (isObject(operand)) return !matcherMatches(operand, value);
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.some((candidate) => matcherMatches(candidate, value));
    }
    case 'exists':
      return operand === true;
    default:
      throw new EventPatternError(`unsupported operator ${operator}`);
  }
};

/** A pattern field's array against the event's value at that field (`undefined`: absent). */
const fieldMatches = (matchers: unknown[], value: Value): boolean => {
  if (value === undefined) {
    return matchers.some((matcher) => isObject(matcher) && matcher.exists === false);
  }
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isObject(matcher) && matcher.exists === false) return false;
    return values.some((one) => matcherMatches(matcher, one));
  });
};

/** Whether `event` matches the EventBridge `pattern`. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new EventPatternError('a pattern is a JSON object');
  const subject = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected)) throw new EventPatternError('$or takes an array of patterns');
      return expected.some((alternative) => matchesPattern(alternative, subject));
    }
    const value = subject[key];
    if (Array.isArray(expected)) return fieldMatches(expected, value);
    if (isObject(expected)) {
      return isObject(value) && matchesPattern(expected, value);
    }
    throw new EventPatternError(`pattern field ${key} must be an array or an object`);
  });
}
