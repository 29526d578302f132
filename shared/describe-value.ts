import { characterLength } from './text-length';

const MAX_SHOWN = 60;

/**
 * Cuts a text to at most `max` characters (Unicode code points, as SageMaker counts),
 * the last an ellipsis; by default to 60, so an error line stays readable.
 */
export const truncate = (text: string, max = MAX_SHOWN): string => {
  if (characterLength(text, max) <= max) return text;
  let end = 0;
  for (let kept = 0; kept < max - 1; kept++) {
    const unit = text.charCodeAt(end);
    const next = text.charCodeAt(end + 1);
    // A high surrogate followed by a low one is a single character.
    end += unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return `${text.slice(0, end)}…`;
};

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Escapes every character that could break or hide part of a one-line message
 * (line breaks, other control characters, U+2028/U+2029) as `\uXXXX`, so text taken
 * from an event can be quoted in a failure reason without splitting it.
 */
export const escapeControlCharacters = (text: string): string =>
  text.replace(LINE_BREAKING, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Describes a received value in a few words for an error message:
 * its JSON type and, for scalars, the value cut to about 60 characters.
 */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(truncate(value))}`;
  if (typeof value === 'number') return Number.isFinite(value) ? `number ${value}` : String(value);
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'bigint') return `bigint ${truncate(value.toString())}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
};

/** Formats a validation path (`['items', 3, 'a']`) as `items[3].a`. */
export const formatPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(event)' : out;
};
