/**
 * A synchronous Lambda response is at most 6 MB (Lambda quotas, "Invocation payload");
 * bodies past this are shortened (see {@link fitResponseBody}).
 */
export const MAX_RESPONSE_BYTES = 5_000_000;
/** Entries kept per list when a response body must be shortened. */
export const SHORTENED_LIST_LENGTH = 1_000;

/**
 * A list of a response body that may be shortened: a key of the body, or `{ within, list }`
 * for the list at key `list` in each entry of the body's list `within`; those lists share
 * the entries kept.
 */
export type ShortenedList = string | { readonly within: string; readonly list: string };

/** `body` with each of `lists` cut to `keep` entries and `<list>Omitted` counting the rest. */
const shortenLists = (
  body: object,
  lists: readonly ShortenedList[],
  keep: number,
): Record<string, unknown> => {
  const shortened: Record<string, unknown> = { ...body };
  for (const list of lists) {
    if (typeof list === 'string') {
      Object.assign(shortened, shortenList(shortened, list, keep));
      continue;
    }
    const entries = shortened[list.within];
    if (!Array.isArray(entries) || entries.length === 0) continue;
    const share = keep === 0 ? 0 : Math.max(1, Math.floor(keep / entries.length));
    shortened[list.within] = entries.map((entry: unknown) =>
      entry !== null && typeof entry === 'object'
        ? { ...entry, ...shortenList(entry as Record<string, unknown>, list.list, share) }
        : entry,
    );
  }
  return shortened;
};

/** The keys that cut `record[name]` to `keep` entries, counting the rest in `<name>Omitted`. */
const shortenList = (record: Record<string, unknown>, name: string, keep: number) => {
  const list = record[name];
  if (!Array.isArray(list) || list.length <= keep) return {};
  const omitted = record[`${name}Omitted`];
  return {
    [name]: list.slice(0, keep),
    [`${name}Omitted`]: (typeof omitted === 'number' ? omitted : 0) + list.length - keep,
  };
};

/**
 * A response body as JSON of at most `budget` bytes: when it is larger, its `lists` are
 * cut to {@link SHORTENED_LIST_LENGTH} entries, then halved until it fits, and
 * `<list>Omitted` says how many each left out (entries can be large: a plan's rendered
 * parameters). `maxEntries` cuts the lists even when the body fits.
 */
export const fitResponseBody = (
  body: object,
  lists: readonly ShortenedList[],
  { budget = MAX_RESPONSE_BYTES, maxEntries = Number.POSITIVE_INFINITY } = {},
): string => {
  for (let keep = maxEntries; ; ) {
    const text = JSON.stringify(shortenLists(body, lists, keep));
    if (keep === 0 || Buffer.byteLength(text) <= budget) return text;
    keep = keep > SHORTENED_LIST_LENGTH ? SHORTENED_LIST_LENGTH : Math.floor(keep / 2);
  }
};
