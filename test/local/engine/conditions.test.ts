import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateConditions } from '../../../local/engine/conditions';
import type { Json, Primitive } from '../../../local/engine/definition';
import { FloatValue } from '../../../local/engine/floats';
import type { Scope } from '../../../local/engine/values';

const scope: Scope = {
  parameters: new Map<string, Primitive>([
    ['N', 5],
    ['S', 'b'],
    ['B', true],
    ['F', new FloatValue(0.5)],
  ]),
  execution: () => '',
  stepOutput: () => 0,
  stepProperty: () => false,
};
const N = { Get: 'Parameters.N' };
const check = (condition: Json) => evaluateCondition(condition, scope);

describe('conditions', () => {
  it('Equals compares values of one type: numbers (Integer or Float), strings, Booleans', () => {
    expect(check({ Type: 'Equals', LeftValue: N, RightValue: 5 })).toBe(true);
    expect(check({ Type: 'Equals', LeftValue: N, RightValue: 5.0 })).toBe(true);
    expect(check({ Type: 'Equals', LeftValue: { Get: 'Parameters.F' }, RightValue: 0.5 })).toBe(
      true,
    );
    expect(check({ Type: 'Equals', LeftValue: { Get: 'Parameters.B' }, RightValue: true })).toBe(
      true,
    );
    expect(check({ Type: 'Equals', LeftValue: { Get: 'Parameters.S' }, RightValue: 'c' })).toBe(
      false,
    );
    expect(check({ Type: 'NotEquals', LeftValue: N, RightValue: 4 })).toBe(true);
  });

  it('refuses to compare values of different types (Equals("2", 2) is no match, it is an error)', () => {
    expect(() => check({ Type: 'Equals', LeftValue: '2', RightValue: 2 })).toThrow(
      'Equals: LeftValue "2" (String) and RightValue 2 (Number) are not of the same type',
    );
    expect(() => check({ Type: 'Equals', LeftValue: N, RightValue: '5' })).toThrow(
      'Equals: LeftValue 5 (Number) and RightValue "5" (String) are not of the same type',
    );
    expect(() =>
      check({ Type: 'Equals', LeftValue: { Get: 'Parameters.B' }, RightValue: 'true' }),
    ).toThrow('Equals: LeftValue true (Boolean) and RightValue "true" (String)');
  });

  it('orders numbers with GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo', () => {
    expect(check({ Type: 'GreaterThan', LeftValue: N, RightValue: 4 })).toBe(true);
    expect(check({ Type: 'GreaterThan', LeftValue: N, RightValue: 5 })).toBe(false);
    expect(check({ Type: 'GreaterThanOrEqualTo', LeftValue: N, RightValue: 5 })).toBe(true);
    expect(check({ Type: 'LessThan', LeftValue: N, RightValue: 5 })).toBe(false);
    expect(check({ Type: 'LessThan', LeftValue: 4.5, RightValue: N })).toBe(true);
    expect(check({ Type: 'LessThan', LeftValue: { Get: 'Parameters.F' }, RightValue: N })).toBe(
      true,
    );
    expect(check({ Type: 'LessThanOrEqualTo', LeftValue: N, RightValue: 5 })).toBe(true);
  });

  it('orders two strings as strings ("10" is not greater than "9"), and nothing else', () => {
    expect(check({ Type: 'GreaterThan', LeftValue: '10', RightValue: '9' })).toBe(false);
    expect(check({ Type: 'LessThan', LeftValue: '10', RightValue: '9' })).toBe(true);
    expect(check({ Type: 'LessThan', LeftValue: 'a', RightValue: { Get: 'Parameters.S' } })).toBe(
      true,
    );
    expect(() => check({ Type: 'LessThan', LeftValue: 'a', RightValue: N })).toThrow(
      'LessThan: LeftValue "a" (String) and RightValue 5 (Number) are not of the same type',
    );
    expect(() => check({ Type: 'GreaterThan', LeftValue: true, RightValue: false })).toThrow(
      'GreaterThan orders numbers or strings, got true (Boolean) and false (Boolean)',
    );
  });

  it('In, Not and Or', () => {
    expect(check({ Type: 'In', QueryValue: N, Values: [1, 5] })).toBe(true);
    expect(check({ Type: 'In', QueryValue: N, Values: [1, 2] })).toBe(false);
    // Membership, as Python's `in` in the SDK's local mode: a value of another type is not equal.
    expect(check({ Type: 'In', QueryValue: N, Values: ['5', true] })).toBe(false);
    expect(check({ Type: 'In', Value: { Get: 'Parameters.S' }, In: ['a', 'b'] })).toBe(true);
    expect(check({ Type: 'NotIn', QueryValue: N, Values: [1, 2] })).toBe(true);
    expect(check({ Type: 'Not', Condition: { Type: 'Equals', LeftValue: N, RightValue: 5 } })).toBe(
      false,
    );
    expect(
      check({
        Type: 'Or',
        Conditions: [
          { Type: 'Equals', LeftValue: N, RightValue: 1 },
          { Type: 'Equals', LeftValue: N, RightValue: 5 },
        ],
      }),
    ).toBe(true);
    expect(
      check({ Type: 'Or', Conditions: [{ Type: 'Equals', LeftValue: N, RightValue: 1 }] }),
    ).toBe(false);
  });

  it('AND-s the Conditions list of a Condition step', () => {
    const yes = { Type: 'Equals', LeftValue: N, RightValue: 5 };
    const no = { Type: 'Equals', LeftValue: N, RightValue: 6 };
    expect(evaluateConditions([yes, yes], scope)).toBe(true);
    expect(evaluateConditions([yes, no], scope)).toBe(false);
    expect(evaluateConditions([], scope)).toBe(true);
  });

  it('rejects an unknown condition type naming the supported ones', () => {
    expect(() => check({ Type: 'Between', LeftValue: 1, RightValue: 2 })).toThrow(
      "unknown condition type 'Between' (supported: Equals, NotEquals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, In, NotIn, Not, Or)",
    );
    expect(() => check({ Type: 'In', QueryValue: 1 })).toThrow(/In needs a Values list/);
  });
});
