const MAX_SHOWN = 60;

/** Cuts a text to about 60 characters so an error line stays readable. */
export const truncate = (text: string, max = MAX_SHOWN): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

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
