import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterLength } from '../../shared/text-length';

describe('characterLength', () => {
  it('counts a surrogate pair as one character', () => {
    expect(characterLength('😀')).toBe(1);
    expect(characterLength('a😀b')).toBe(3);
  });

  it('counts a lone surrogate as one character', () => {
    expect(characterLength('\ud83d')).toBe(1);
    expect(characterLength('\ude00x')).toBe(2);
    expect(characterLength('x\ud83d')).toBe(2);
  });

  it('returns the UTF-16 length unchecked when it is within the limit', () => {
    expect(characterLength('😀😀', 4)).toBe(4);
    expect(characterLength('😀😀', 3)).toBe(2);
  });

  it('agrees with iterating code points for any text over the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(characterLength(text)).toBe([...text].length);
      }),
      { numRuns: 500 },
    );
  });
});
