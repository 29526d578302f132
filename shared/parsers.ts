import * as z from 'zod/mini';
import { describeValue } from './describe-value';
import { jsonDepthExceeds } from './json-depth';

/**
 * Parsers for step arguments. SageMaker passes a Lambda step's `Arguments` as JSON
 * values, but values that come from pipeline String parameters or EventBridge
 * parameter lists arrive as strings. Each parser accepts the native JSON value or
 * its exact string form, and nothing looser: no whitespace, no `"1.0"` for an
 * integer, no `"yes"` for a boolean.
 *
 * Schemas use `zod/mini`: the same zod 4 engine, tree-shakeable, which keeps each
 * bundle around 20 KB of zod instead of 450 KB.
 */

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const FLOAT_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** Deepest nesting accepted in a JSON argument; deeper values are rejected, not walked. */
export const MAX_JSON_DEPTH = 64;

/** Parses `"42"` to 42; anything else (including unsafe integers) to `undefined`. */
export const parseIntegerText = (text: string): number | undefined => {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
};

/** Parses `"0.5"`, `"-3"`, `"1e3"` to a finite number; anything else to `undefined`. */
export const parseFloatText = (text: string): number | undefined => {
  if (!FLOAT_TEXT.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/** Parses exactly `"true"` or `"false"`; anything else to `undefined`. */
export const parseBooleanText = (text: string): boolean | undefined =>
  text === 'true' ? true : text === 'false' ? false : undefined;

/**
 * One argument schema: `accept` turns the received value into the parsed one, or
 * `undefined` to reject it. A single pipe (presence check, then transform) instead of a
 * union of the native and the text form keeps zod's union and record code out of the
 * bundle and builds two schema objects per argument instead of six, which is what a
 * LambdaStep's cold start pays for. `jsonSchema` documents both accepted forms in
 * `contracts.json`.
 */
const argument = <T>(
  accept: (value: unknown) => T | undefined,
  rejection: (value: unknown) => string,
  jsonSchema: Record<string, unknown>,
) =>
  z
    .pipe(
      // A missing key must still be reported as missing, and keep the key required.
      z.custom<unknown>((value) => value !== undefined, {
        error: () => `required, ${rejection(undefined)}`,
        abort: true,
      }),
      z.transform((value: unknown, ctx): T => {
        const parsed = accept(value);
        if (parsed !== undefined) return parsed;
        ctx.issues.push({ code: 'custom', input: value, message: rejection(value) });
        return z.NEVER;
      }),
    )
    .register(z.globalRegistry, jsonSchema);

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
      { type: 'string', pattern: FLOAT_TEXT.source, description: 'a number as text, e.g. "0.5"' },
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

const parseJsonText = (text: string, kind: 'array' | 'object'): unknown => {
  try {
    const value: unknown = JSON.parse(text);
    return isKind(value, kind) ? value : undefined;
  } catch {
    return undefined;
  }
};

const isKind = (value: unknown, kind: 'array' | 'object'): boolean =>
  kind === 'array'
    ? Array.isArray(value)
    : value !== null && typeof value === 'object' && !Array.isArray(value);

const TOO_DEEP = Symbol('too deep');
const PROTO_KEY = Symbol('__proto__ key');

const jsonOrText = <T extends z.ZodMiniType>(kind: 'array' | 'object', schema: T) => {
  const raw = argument(
    (value): unknown => {
      const parsed =
        typeof value === 'string'
          ? parseJsonText(value, kind)
          : isKind(value, kind)
            ? value
            : undefined;
      if (parsed === undefined) return undefined;
      if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH)) return TOO_DEEP;
      // zod's record parsing would silently drop this key: refuse it rather than lose it.
      return kind === 'object' && Object.hasOwn(parsed as object, '__proto__') ? PROTO_KEY : parsed;
    },
    (value) =>
      typeof value === 'string'
        ? `expected a JSON ${kind} or a string holding one, received ${describeValue(value)} that does not hold a JSON ${kind}`
        : `expected a JSON ${kind} or a string holding one, received ${describeValue(value)}`,
    {
      anyOf: [{ type: kind }, { type: 'string', description: `a JSON ${kind} as text` }],
    },
  ).check(
    z.refine((value) => value !== TOO_DEEP, {
      message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
      abort: true,
    }),
    z.refine((value) => value !== PROTO_KEY, {
      message: 'holds a "__proto__" key, which cannot be passed on safely; rename it',
      abort: true,
    }),
  );
  // `raw` yields an array or object; `schema` narrows it to the argument's real shape.
  return z.pipe(raw as z.ZodMiniType<unknown, unknown>, schema);
};

/**
 * A list argument: a JSON array, or a string holding one (pipeline parameters cannot
 * hold lists). The parsed array is then checked against `schema`.
 */
export const jsonArrayArg = <T extends z.ZodMiniType<unknown[]>>(schema: T) =>
  jsonOrText('array', schema);

/** An object argument: a JSON object, or a string holding one, then checked against `schema`. */
export const jsonObjectArg = <T extends z.ZodMiniType<Record<string, unknown>>>(schema: T) =>
  jsonOrText('object', schema);
