import * as v from 'valibot';
import {
  type OpenedSource,
  openSource,
  readSource,
} from '../../../../../shared/batches/sources/items';
import type { ObjectSource } from '../../../../../shared/batches/sources/port';
import { itemsFromSchema } from '../../../../../shared/batches/sources/schema';
import type { ItemProblem } from '../../../../../shared/batches/sources/templates';
import { InputValidationError } from '../../../../../shared/errors';

export const itemsFrom = (input: Record<string, unknown>) => v.parse(itemsFromSchema, input);

/** Every entry of an opened source, in order. */
export const entriesOf = async (opened: OpenedSource) => {
  const out = [];
  for await (const entry of opened.entries) out.push(entry);
  return out;
};

/** Reads a source through `readSource`: the items, or the problems it was refused with. */
export const readAll = async (
  source: ObjectSource,
  input: Record<string, unknown>,
  options: {
    rangeBytes?: number;
    maxItemBytes?: number;
    check?: (item: unknown, index: number) => ItemProblem[];
  } = {},
): Promise<{ items: unknown[] } | { problems: Array<{ field: string; problem: string }> }> => {
  const opened = await openSource(source, itemsFrom(input), options);
  const items: unknown[] = [];
  try {
    await readSource(opened, options.check ?? (() => []), (item) => {
      items.push(item);
    });
    return { items };
  } catch (error) {
    if (error instanceof InputValidationError) return { problems: [...error.problems] };
    throw error;
  }
};

/** Splits text into byte chunks at the given sizes, repeating the last. */
export async function* chunked(text: string | Uint8Array, sizes: readonly number[]) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  let at = 0;
  let turn = 0;
  while (at < bytes.byteLength) {
    const size = Math.max(1, sizes[Math.min(turn, sizes.length - 1)] ?? 1);
    yield bytes.subarray(at, at + size);
    at += size;
    turn++;
  }
}
