import * as v from 'valibot';
import { describeValue } from './describe-value';
import { jsonDepthExceeds } from './json-depth';

/**
 * Parsers for step arguments. SageMaker passes a Lambda step's `Arguments` as JSON
 * values, but values that come from pipeline String parameters or EventBridge
 * parameter lists arrive as strings. Each parser accepts the native JSON value or
 * its exact string form, and nothing looser: no whitespace, no `"1.0"` for an
 * integer, no `"yes"` for a boolean.
 *
 * Schemas use valibot: its schemas are plain objects built by small functions, so a
 * LambdaStep's cold start pays a fraction of what zod/mini's classes cost
 * (bench/README.md has the measurements).
 */

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
/** A number as text. A string, not a literal's `.source`: bundles that never use `floatArg` leave it out. */
const FLOAT_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$';
const FLOAT_TEXT = /* @__PURE__ */ new RegExp(FLOAT_PATTERN);

/** Deepest nesting accepted in a JSON argument; deeper values are rejected, not walked. */
export const MAX_JSON_DEPTH = 64;

/** Parses `"42"` to 42; anything else (including unsafe integers) to `undefined`. */
export function parseIntegerText(text: string): number | undefined {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Parses `"0.5"`, `"-3"`, `"1e3"` to a finite number; anything else to `undefined`. */
export function parseFloatText(text: string): number | undefined {
  if (!FLOAT_TEXT.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Parses exactly `"true"` or `"false"`; anything else to `undefined`. */
export const parseBooleanText = (text: string): boolean | undefined =>
  text === 'true' ? true : text === 'false' ? false : undefined;

/** What an argument's `accept` returns for a value it refuses with a message of its own. */
class Refusal {
  constructor(readonly message: string) {}
}

/**
 * One argument schema: `accept` turns the received value into the parsed one, or
 * `undefined` (worded by `rejection`) or a {@link Refusal} to reject it. One transform
 * instead of a union of the native and the text form keeps each argument to three
 * small objects. `jsonSchema` documents both accepted forms in `contracts.json`; it
 * comes before the transform because the input side of a pipe ends there.
 */
const argument = <T>(
  accept: (value: unknown) => T | Refusal | undefined,
  rejection: (value: unknown) => string,
  jsonSchema: Record<string, unknown>,
) =>
  v.pipe(
    v.unknown(),
    v.metadata(jsonSchema),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const parsed = accept(dataset.value);
      if (parsed === undefined || parsed instanceof Refusal) {
        addIssue({
          message: parsed instanceof Refusal ? parsed.message : rejection(dataset.value),
        });
        return NEVER;
      }
      return parsed;
    }),
  );

/** A native value or its exact text form, as an argument schema. */
const nativeOrText = <T>(
  native: (value: unknown) => T | undefined,
  parse: (text: string) => T | undefined,
  expected: string,
  example: string,
  jsonSchema: Record<string, unknown>,
) =>
  argument(
    (value) => (typeof value === 'string' ? parse(value) : native(value)),
    (value) =>
      typeof value === 'string'
        ? `expected ${expected} or a string holding one like ${example}, received ${describeValue(value)}`
        : `expected ${expected}, received ${describeValue(value)}`,
    jsonSchema,
  );

/** An integer argument: a safe integer, or a string holding one (`"42"`). */
export const integerArg = /* @__PURE__ */ nativeOrText(
  (value) => (Number.isSafeInteger(value) ? (value as number) : undefined),
  parseIntegerText,
  'an integer',
  '"42"',
  {
    anyOf: [
      { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
      {
        type: 'string',
        pattern: INTEGER_TEXT.source,
        description: 'an integer as text, e.g. "42"',
      },
    ],
  },
);

/** A float argument: a finite number, or a string holding one (`"0.5"`). */
export const floatArg = /* @__PURE__ */ nativeOrText(
  (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined),
  parseFloatText,
  'a number',
  '"0.5"',
  {
    anyOf: [
      { type: 'number' },
      { type: 'string', pattern: FLOAT_PATTERN, description: 'a number as text, e.g. "0.5"' },
    ],
  },
);

/** A boolean argument: `true`/`false`, or the strings `"true"`/`"false"`. */
export const booleanArg = /* @__PURE__ */ nativeOrText(
  (value) => (typeof value === 'boolean' ? value : undefined),
  parseBooleanText,
  'a boolean',
  '"true"',
  { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] },
);

/** The JSON array or object `text` holds, or undefined when it holds anything else. */
export function parseJsonText(text: string, kind: 'array' | 'object'): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return isKind(value, kind) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isKind = (value: unknown, kind: 'array' | 'object'): boolean =>
  kind === 'array'
    ? Array.isArray(value)
    : value !== null && typeof value === 'object' && !Array.isArray(value);

const TOO_DEEP = /* @__PURE__ */ new Refusal(`nested deeper than ${MAX_JSON_DEPTH} levels`);
const PROTO_KEY = /* @__PURE__ */ new Refusal(
  'holds a "__proto__" key, which cannot be passed on safely; rename it',
);

/** A JSON array or object, or a string holding one: the first layer of every argument of that kind. */
const jsonArgument = (kind: 'array' | 'object') =>
  argument(
    (value): unknown => {
      const parsed =
        typeof value === 'string'
          ? parseJsonText(value, kind)
          : isKind(value, kind)
            ? value
            : undefined;
      if (parsed === undefined) return undefined;
      if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH)) return TOO_DEEP;
      // Copying or checking the object later could silently drop this key: refuse it rather than lose it.
      return kind === 'object' && Object.hasOwn(parsed as object, '__proto__') ? PROTO_KEY : parsed;
    },
    (value) =>
      typeof value === 'string'
        ? `expected a JSON ${kind} or a string holding one, received ${describeValue(value)} that does not hold a JSON ${kind}`
        : `expected a JSON ${kind} or a string holding one, received ${describeValue(value)}`,
    { anyOf: [{ type: kind }, { type: 'string', description: `a JSON ${kind} as text` }] },
  );

/** Each kind's first layer, built once and shared: schemas are immutable. */
const jsonArguments: Partial<Record<'array' | 'object', ReturnType<typeof jsonArgument>>> = {};

function jsonOrText<T extends v.GenericSchema>(kind: 'array' | 'object', schema: T) {
  const first = jsonArguments[kind] ?? jsonArgument(kind);
  jsonArguments[kind] = first;
  // The first layer yields an array or object; `schema` narrows it to the argument's real shape.
  return v.pipe(first, schema);
}

/**
 * A list argument: a JSON array, or a string holding one (pipeline parameters cannot
 * hold lists). The parsed array is then checked against `schema`.
 */
export const jsonArrayArg = <T extends v.GenericSchema<unknown[]>>(schema: T) =>
  jsonOrText('array', schema);

/** An object argument: a JSON object, or a string holding one, then checked against `schema`. */
export const jsonObjectArg = <T extends v.GenericSchema<Record<string, unknown>>>(schema: T) =>
  jsonOrText('object', schema);

/**
 * An object whose values are all strings, keeping every own key. valibot's `record`
 * skips keys named `constructor` and `prototype`, which are valid pipeline parameter
 * names: dropping one would lose a parameter without a word.
 */
export const stringRecord = () =>
  v.pipe(
    v.custom<Record<string, string>>(
      (value) => isKind(value, 'object'),
      (issue) => `expected an object, received ${describeValue(issue.input)}`,
    ),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const record = dataset.value;
      for (const [key, value] of Object.entries(record)) {
        if (typeof value === 'string') continue;
        addIssue({
          message: `expected a string, received ${describeValue(value)}`,
          input: value,
          path: [{ type: 'object', origin: 'value', input: record, key, value }],
        });
      }
    }),
  );
