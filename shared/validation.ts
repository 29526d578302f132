/**
 * Valibot issues as field problems worded for a person, and the event parsing every
 * adapter (LambdaStep, HTTP API, schedule) uses.
 */
import * as v from 'valibot';
import { describeValue, formatPath, truncate } from './describe-value';
import { type FieldProblem, InputValidationError } from './errors';

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  safe_integer: 'a safe integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** `1 item`, `3 items`, `1 character`: a count with the unit that fits the value measured. */
function counted(input: unknown, count: unknown): string {
  const unit = typeof input === 'string' ? 'character' : Array.isArray(input) ? 'item' : '';
  if (unit === '') return String(count);
  return `${String(count)} ${unit}${Number(count) === 1 ? '' : 's'}`;
}

const receivedSize = (input: unknown): string =>
  typeof input === 'string' || Array.isArray(input)
    ? counted(input, input.length)
    : describeValue(input);

type Issue = v.BaseIssue<unknown>;
type AnySchema = v.GenericSchema;

const keysOf = (issue: Issue): PropertyKey[] =>
  (issue.path ?? []).map((item) =>
    typeof item.key === 'string' || typeof item.key === 'number' ? item.key : String(item.key),
  );

/** A path with each key cut to about 60 characters: record keys come from the event. */
const fieldOf = (path: readonly PropertyKey[]): string =>
  formatPath(path.map((key) => (typeof key === 'string' ? truncate(key) : key)));

/** A schema or an action of a valibot pipe. */
export interface PipeItem {
  kind: string;
  type: string;
}

/**
 * Every schema and action a value meets, in order: a pipe's items, the pipes of the
 * schemas inside it, and what an optional wraps. The one walker over valibot's schema
 * objects, for issue wording here and for the contracts document.
 */
export function pipeItems(schema: PipeItem): PipeItem[] {
  const wrapped = (schema as { wrapped?: PipeItem }).wrapped;
  if (wrapped !== undefined) return pipeItems(wrapped);
  const pipe = (schema as { pipe?: readonly PipeItem[] }).pipe;
  if (pipe === undefined) return [schema];
  return pipe.flatMap((item) => (item.kind === 'schema' ? pipeItems(item) : [item]));
}

/** The schemas a value meets, in order: a pipe's schemas and what an optional wraps. */
const layersOf = (schema: AnySchema): AnySchema[] =>
  pipeItems(schema).filter((item): item is AnySchema => item.kind === 'schema');

/** The schema of the value at `key` inside a value of `schema`, if it can be told. */
function childSchema(schema: AnySchema, key: PropertyKey): AnySchema | undefined {
  for (const layer of layersOf(schema).reverse()) {
    const { entries, item, value, items } = layer as {
      entries?: Record<string, AnySchema>;
      item?: AnySchema;
      value?: AnySchema;
      items?: AnySchema[];
    };
    if (entries !== undefined && typeof key === 'string' && Object.hasOwn(entries, key))
      return entries[key];
    if (item !== undefined) return item;
    if (value !== undefined) return value;
    if (items !== undefined && typeof key === 'number') return items[key];
  }
  return undefined;
}

function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let schema: AnySchema | undefined = root;
  for (const key of path) {
    if (schema === undefined) return undefined;
    schema = childSchema(schema, key);
  }
  return schema;
}

/** The layer of `schema` of the given type (the union inside an optional, say). */
const layerOfType = <T extends AnySchema>(schema: AnySchema | undefined, type: string) =>
  schema === undefined
    ? undefined
    : (layersOf(schema).find((layer) => layer.type === type) as T | undefined);

/** What one alternative of a union expected, from the first issue it raised on `input`. */
function describeAlternative(option: AnySchema, input: unknown): string {
  const result = v.safeParse(option, input);
  const first = result.issues?.[0];
  if (first === undefined) return 'another value';
  const expected =
    first.kind === 'schema'
      ? (EXPECTED_WORDS[first.type] ?? first.expected ?? 'another value')
      : 'valid';
  const path = keysOf(first);
  if (path.length === 0) return expected === 'valid' ? 'another value' : expected;
  // The alternative accepted the value's kind and failed inside it.
  return `${Array.isArray(input) ? 'an array' : 'an object'} whose ${fieldOf(path)} is ${expected}`;
}

/** The issue as words, with `root` the schema the issue's path starts from. */
function describeIssue(issue: Issue, root: AnySchema): string {
  const path = keysOf(issue);
  if (issue.kind === 'schema' && issue.type === 'object' && issue.path?.at(-1)?.origin === 'key') {
    // A missing key: say what its schema would have accepted.
    const entry = schemaAt(root, path);
    const first = entry === undefined ? undefined : v.safeParse(entry, undefined).issues?.[0];
    const words = first === undefined ? 'a value' : describeIssue(first, entry as AnySchema);
    return words.startsWith('required') ? words : `required, ${words}`;
  }
  const input = issue.input;
  const received =
    input === undefined && issue.kind === 'schema' ? 'nothing' : describeValue(input);
  switch (issue.type) {
    case 'union': {
      const union = layerOfType<v.UnionSchema<AnySchema[], undefined>>(
        schemaAt(root, path),
        'union',
      );
      const alternatives = (union?.options ?? []).map((option) =>
        describeAlternative(option, input),
      );
      const expected = [...new Set(alternatives)].join(' or ') || 'another value';
      return `expected ${expected}, received ${received}`;
    }
    case 'picklist':
    case 'enum': {
      const schema = layerOfType<v.PicklistSchema<string[], undefined>>(
        schemaAt(root, path),
        issue.type,
      );
      const options = schema?.options.map((option) => JSON.stringify(option)).join(', ');
      return `expected one of ${options ?? issue.expected}, received ${received}`;
    }
    case 'literal':
      return `expected ${issue.expected}, received ${received}`;
    case 'max_length':
    case 'max_size':
      return `expected at most ${counted(input, issue.requirement)}, received ${receivedSize(input)}`;
    case 'min_length':
    case 'min_size':
    case 'non_empty':
      return `expected at least ${counted(input, issue.requirement ?? 1)}, received ${receivedSize(input)}`;
    case 'max_value':
      return `expected at most ${String(issue.requirement)}, received ${received}`;
    case 'min_value':
      return `expected at least ${String(issue.requirement)}, received ${received}`;
    case 'regex':
      return `expected a string matching ${String(issue.requirement)}, received ${received}`;
    default:
      // A type (`string`) or a kind of number (`integer`); custom, check and transform issues
      // carry our own wording.
      return Object.hasOwn(EXPECTED_WORDS, issue.type)
        ? `expected ${EXPECTED_WORDS[issue.type]}, received ${received}`
        : issue.message;
  }
}

/** Turns valibot issues into field problems: one per issue, readable on one line. */
export const toFieldProblems = (issues: readonly Issue[], root: AnySchema): FieldProblem[] =>
  issues.map((issue) => ({ field: fieldOf(keysOf(issue)), problem: describeIssue(issue, root) }));

/**
 * Validates `event` against `schema`.
 * @throws InputValidationError listing every offending field.
 */
export function parseEvent<S extends AnySchema>(
  schema: S,
  event: unknown,
  subject = 'input',
): v.InferOutput<S> {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InputValidationError(
      [
        {
          field: '(event)',
          problem: `expected a JSON object of step arguments, received ${describeValue(event)}`,
        },
      ],
      { subject },
    );
  }
  const result = v.safeParse(schema, event);
  if (result.success) return result.output;
  throw new InputValidationError(toFieldProblems(result.issues, schema), {
    subject,
    cause: new v.ValiError(result.issues),
  });
}
