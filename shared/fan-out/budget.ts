import type { FieldProblem } from '../errors';
import type { CompiledTemplate } from './template';

/**
 * Bounds on the work one request may ask for before anything is started. Planning renders
 * every template for every item; unbounded, a 472 KB body (10,000 items, 200 parameters)
 * spent 9.6 s of a full core here (issue 14), far more than a 256 MB Lambda's share of a
 * core can do within the HTTP API's 29 s. Our own limits; SageMaker publishes none.
 */

/** Most placeholder substitutions (items × placeholders in all templates) per request. */
export const MAX_PLACEHOLDER_RENDERINGS = 100_000;

/** Most UTF-8 bytes of rendered parameter values, summed over all items, per request. */
export const MAX_RENDERED_BYTES = 8 * 1024 * 1024;

/** Items rendered between two checks of the time budget while planning. */
export const ITEMS_PER_TIME_CHECK = 256;

/** Placeholders (`{{item...}}`, `{{index}}`, `{{batchId}}`) in the templates. */
export const placeholderCount = (templates: ReadonlyArray<{ template: CompiledTemplate }>) =>
  templates.reduce(
    (sum, { template }) => sum + template.segments.filter((s) => s.kind !== 'text').length,
    0,
  );

/** The problem of a request over {@link MAX_PLACEHOLDER_RENDERINGS}, found before rendering. */
export const renderingsProblem = (items: number, placeholders: number): FieldProblem | undefined =>
  items * placeholders > MAX_PLACEHOLDER_RENDERINGS
    ? {
        field: 'parameters',
        problem: `${items} items × ${placeholders} placeholders = ${items * placeholders} substitutions, over the budget of ${MAX_PLACEHOLDER_RENDERINGS} per request; send fewer items per request (plan-batches splits them) or fewer placeholders`,
      }
    : undefined;

/** The problem of rendered values over {@link MAX_RENDERED_BYTES}, found as soon as rendering passes it. */
export const renderedBytesProblem = (index: number): FieldProblem => ({
  field: 'parameters',
  problem: `rendered parameter values pass the budget of ${MAX_RENDERED_BYTES} bytes per request at item ${index}; send fewer items per request or smaller values`,
});

/** Largest magnitude a JSON number keeps exactly once parsed: 2^53 - 1. */
const SAFE = Number.MAX_SAFE_INTEGER;

/** Most inexact numbers named before the rest are counted. */
const MAX_NUMBER_PROBLEMS = 20;

/**
 * Numbers of the items that do not survive rendering exactly: an integer beyond ±2^53 - 1
 * was already rounded when the JSON was parsed (9007199254740993 renders as
 * 9007199254740992), and a number out of range (1e400) became Infinity, which JSON
 * renders as `null`. Each is named by item and field; send such values as strings.
 */
export function inexactNumbers(items: readonly unknown[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let more = 0;
  const stack: Array<{ value: unknown; path: string }> = [];
  for (let index = items.length - 1; index >= 0; index--) {
    stack.push({ value: items[index], path: `items[${index}]` });
  }
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'number') {
      if (Number.isFinite(value) && Math.abs(value) <= SAFE) continue;
      if (problems.length >= MAX_NUMBER_PROBLEMS) {
        more++;
        continue;
      }
      problems.push({
        field: path,
        problem: Number.isFinite(value)
          ? `the number ${value} is beyond ±${SAFE} (2^53 - 1) and cannot be passed on exactly; send it as a string`
          : 'a number out of range (such as 1e400) cannot be passed on exactly; send it as a string',
      });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: `${path}[${i}]` });
      }
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        stack.push({ value: child, path: `${path}.${key}` });
      }
    }
  }
  if (more > 0) {
    problems.push({
      field: 'items',
      problem: `${more} more numbers cannot be passed on exactly`,
    });
  }
  return problems;
}
