/**
 * What a source reader yields: each item with where it was found, or a problem with one
 * (where, which field, what). `at` is `line 7`, `row 7`, `element 3 (line 1)`, `key "a/b"` or,
 * for a group of items, `group 2 (lines 11-20)`.
 */
export type SourceEntry =
  | { kind: 'item'; item: unknown; at: string }
  | { kind: 'problem'; at: string; field?: string; problem: string; fatal?: boolean };

export type SourceProblem = Extract<SourceEntry, { kind: 'problem' }>;

/** Largest item, in UTF-8 bytes as read: a stored request part holds at most 300,000 bytes. */
export const MAX_ITEM_BYTES = 250_000;

export const problemAt = (
  at: string,
  problem: string,
  extra?: { field?: string; fatal?: boolean },
): SourceProblem => ({ kind: 'problem', at, problem, ...extra });

export const tooLarge = (at: string, limit: number): SourceProblem =>
  problemAt(at, `is over ${limit} bytes, the most an item may be`);
