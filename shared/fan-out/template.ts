import { MAX_PARAMETER_VALUE_LENGTH } from '../limits';
import { itemText } from '../steps/items';
import { characterLength } from '../text-length';

/**
 * Parameter templates: `{{item}}` is the item (a string as is, anything else as JSON),
 * `{{item.a.b}}` a field of an object item (a numeric segment indexes an array),
 * `{{index}}` the item's 0-based position and `{{batchId}}` the batch id. Whitespace
 * inside the braces is allowed. Anything else between `{{` and `}}` is an error.
 */

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'item'; path: readonly string[] }
  | { kind: 'index' }
  | { kind: 'batchId' };

/** A template parsed once and rendered for every item. */
export interface CompiledTemplate {
  source: string;
  segments: readonly Segment[];
}

/** The one-line forms a template may use, for error messages. */
export const PLACEHOLDERS = '{{item}}, {{item.<field>}}, {{index}} or {{batchId}}';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const FIELD_PATH = /^item((?:\.[^.\s{}]+)+)$/;

/**
 * Parses a template.
 * @returns the compiled template, or the text of the first placeholder it does not know.
 */
export function compileTemplate(
  source: string,
): { ok: true; template: CompiledTemplate } | { ok: false; unknown: string } {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const start = match.index;
    if (start > last) segments.push({ kind: 'text', text: source.slice(last, start) });
    last = start + match[0].length;
    const inner = match[1] ?? '';
    if (inner === 'item') segments.push({ kind: 'item', path: [] });
    else if (inner === 'index') segments.push({ kind: 'index' });
    else if (inner === 'batchId') segments.push({ kind: 'batchId' });
    else {
      const field = FIELD_PATH.exec(inner);
      if (field?.[1] === undefined) return { ok: false, unknown: match[0] };
      segments.push({ kind: 'item', path: field[1].slice(1).split('.') });
    }
  }
  if (last < source.length) segments.push({ kind: 'text', text: source.slice(last) });
  return { ok: true, template: { source, segments } };
}

/** Why a template could not be rendered for one item. */
export type RenderProblem =
  | { kind: 'missing-field'; field: string }
  /** `length` is exact up to twice the limit, a lower bound beyond. */
  | { kind: 'too-long'; length: number };

/**
 * Reads `path` from `item`, own properties only, so `{{item.__proto__}}` or
 * `{{item.constructor}}` never reach the prototype.
 */
function readField(item: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let current = item;
  for (const key of path) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= current.length) {
        return { found: false, value: undefined };
      }
      current = current[Number(key)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

/**
 * Texts of an item's fields already rendered, by path: one per item, shared by every
 * template, so 200 parameters naming a large item serialise it once.
 */
export type FieldTexts = Map<string, string | undefined>;

function fieldText(item: unknown, path: readonly string[], memo?: FieldTexts): string | undefined {
  const key = path.join('.');
  if (memo?.has(key)) return memo.get(key);
  const field = readField(item, path);
  const text = field.found ? itemText(field.value) : undefined;
  memo?.set(key, text);
  return text;
}

/**
 * Renders a template for one item.
 * @param maxLength rendering stops as soon as the value is over this many characters.
 * @param memo the item's {@link FieldTexts}, when several templates render the same item.
 */
export function renderTemplate(
  template: CompiledTemplate,
  item: unknown,
  index: number,
  batchId: string,
  maxLength: number,
  memo?: FieldTexts,
): { ok: true; value: string } | { ok: false; problem: RenderProblem } {
  let value = '';
  for (const segment of template.segments) {
    switch (segment.kind) {
      case 'text':
        value += segment.text;
        break;
      case 'index':
        value += String(index);
        break;
      case 'batchId':
        value += batchId;
        break;
      case 'item': {
        const text = fieldText(item, segment.path, memo);
        if (text === undefined) {
          return { ok: false, problem: { kind: 'missing-field', field: segment.path.join('.') } };
        }
        value += text;
        break;
      }
    }
    // Stop early: a template repeating a large item must not build a huge string.
    if (value.length > maxLength * 2) break;
  }
  // Over twice the limit in UTF-16 units is over the limit in characters: no need to count.
  if (value.length > maxLength * 2) {
    return { ok: false, problem: { kind: 'too-long', length: Math.ceil(value.length / 2) } };
  }
  const length = characterLength(value, maxLength);
  if (length > maxLength) return { ok: false, problem: { kind: 'too-long', length } };
  return { ok: true, value };
}

/** A parameter's name and its compiled value template. */
export interface NamedTemplate {
  name: string;
  template: CompiledTemplate;
}

/** Compiles the templates that compile, keyed by parameter name; the others are left out. */
export const compileValidTemplates = (
  templates: Readonly<Record<string, string>>,
): NamedTemplate[] =>
  Object.entries(templates).flatMap(([name, source]) => {
    const compiled = compileTemplate(source);
    return compiled.ok ? [{ name, template: compiled.template }] : [];
  });

/** Renders a template as a pipeline parameter value, within a parameter value's length limit. */
export const renderParameterValue = (
  template: CompiledTemplate,
  item: unknown,
  index: number,
  batchId: string,
  memo?: FieldTexts,
) => renderTemplate(template, item, index, batchId, MAX_PARAMETER_VALUE_LENGTH, memo);
