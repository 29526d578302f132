import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from '../../shared/json-depth';

describe('jsonDepthExceeds', () => {
  it('counts scalars as depth 0 and each array or object as one level', () => {
    expect(jsonDepthExceeds('text', 0)).toBe(false);
    expect(jsonDepthExceeds([], 0)).toBe(true);
    expect(jsonDepthExceeds([], 1)).toBe(false);
    expect(jsonDepthExceeds({ a: [1] }, 1)).toBe(true);
    expect(jsonDepthExceeds({ a: [1] }, 2)).toBe(false);
  });

  it('finds the deepest branch even when it is not the last one', () => {
    const value = [[[['deep']]], 'shallow'];
    expect(jsonDepthExceeds(value, 3)).toBe(true);
    expect(jsonDepthExceeds(value, 4)).toBe(false);
  });

  it('walks a million levels without recursion', () => {
    let value: unknown = null;
    for (let level = 0; level < 1_000_000; level++) value = [value];
    expect(jsonDepthExceeds(value, 64)).toBe(true);
  });
});
