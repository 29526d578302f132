import { OutputTooLargeError } from './errors';
import { MAX_OUTPUT_VALUE_LENGTH } from './limits';
import { characterLength } from './text-length';

/**
 * Encodes an object, array or tuple as a String output. This is the safe replacement
 * for `str(value)` decoded with `eval()`: consumers decode it with `json.loads`.
 * @throws OutputTooLargeError when the JSON is over the 1,024-character output limit.
 * @throws TypeError when the value has no JSON form (undefined, a function, a cycle, a bigint).
 */
export const toJsonOutput = (name: string, value: unknown): string => {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError(`Output ${name} has no JSON form: received ${typeof value}`);
  }
  const length = characterLength(text, MAX_OUTPUT_VALUE_LENGTH);
  if (length > MAX_OUTPUT_VALUE_LENGTH) {
    throw new OutputTooLargeError(name, length, MAX_OUTPUT_VALUE_LENGTH);
  }
  return text;
};

/** Decodes a String output written by {@link toJsonOutput}. */
export const fromJsonOutput = <T = unknown>(text: string): T => JSON.parse(text) as T;
