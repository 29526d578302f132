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

/** A schema for a value given natively or as text, parsed by `parse`. */
const nativeOrText = <T>(
  native: z.ZodMiniType<T>,
  parse: (text: string) => T | undefined,
  textMeta: { pattern?: string; enum?: string[]; description: string },
  expected: string,
  example: string,
) =>
  z.union(
    [
      native,
      z.pipe(
        z.string().register(z.globalRegistry, textMeta),
        z.transform((text: string, ctx) => {
          const value = parse(text);
          if (value !== undefined) return value;
          ctx.issues.push({
            code: 'custom',
            input: text,
            message: `expected ${expected} or a string holding one like ${example}, received ${describeValue(text)}`,
          });
          return z.NEVER;
        }),
      ),
    ],
    { error: (issue) => `expected ${expected}, received ${describeValue(issue.input)}` },
  );

/** An integer argument: a safe integer, or a string holding one (`"42"`). */
export const integerArg = nativeOrText(
  z.int(),
  parseIntegerText,
  { pattern: INTEGER_TEXT.source, description: 'an integer as text, e.g. "42"' },
  'an integer',
  '"42"',
);

/** A float argument: a finite number, or a string holding one (`"0.5"`). */
export const floatArg = nativeOrText(
  z.number(),
  parseFloatText,
  { pattern: FLOAT_TEXT.source, description: 'a number as text, e.g. "0.5"' },
  'a number',
  '"0.5"',
);

/** A boolean argument: `true`/`false`, or the strings `"true"`/`"false"`. */
export const booleanArg = nativeOrText(
  z.boolean(),
  parseBooleanText,
  { enum: ['true', 'false'], description: '"true" or "false"' },
  'a boolean',
  '"true"',
);

const parseJsonText = (text: string, kind: 'array' | 'object'): unknown => {
  try {
    const value: unknown = JSON.parse(text);
    const isArray = Array.isArray(value);
    const isObject = value !== null && typeof value === 'object' && !isArray;
    return (kind === 'array' && isArray) || (kind === 'object' && isObject) ? value : undefined;
  } catch {
    return undefined;
  }
};

const jsonOrText = <T extends z.ZodMiniType>(kind: 'array' | 'object', schema: T) => {
  const native = kind === 'array' ? z.array(z.unknown()) : z.record(z.string(), z.unknown());
  const fromText = z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      const value = parseJsonText(text, kind);
      if (value !== undefined) return value;
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: `expected a JSON ${kind} or a string holding one, received ${describeValue(text)} that does not hold a JSON ${kind}`,
      });
      return z.NEVER;
    }),
  );
  const raw = z
    .union([native, fromText], {
      error: (issue) =>
        `expected a JSON ${kind} or a string holding one, received ${describeValue(issue.input)}`,
    })
    .check(
      z.refine((value) => !jsonDepthExceeds(value, MAX_JSON_DEPTH), {
        message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
        abort: true,
      }),
    );
  // The union yields an array or object; `schema` narrows it to the argument's real shape.
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
