import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateConditions } from '../../local/engine/conditions';
import type { Json, Primitive } from '../../local/engine/definition';
import type { Scope } from '../../local/engine/values';

const scope: Scope = {
  parameters: new Map<string, Primitive>([
    ['N', 5],
    ['S', 'b'],
    ['B', true],
  ]),
  execution: () => '',
  stepOutput: () => 0,
  stepProperty: () => false,
};
const N = { Get: 'Parameters.N' };
const check = (condition: Json) => evaluateCondition(condition, scope);

describe('conditions', () => {
  it('Equals compares across types ("5" equals 5, "true" equals true)', () => {
    expect(check({ Type: 'Equals', LeftValue: N, RightValue: 5 })).toBe(true);
    expect(check({ Type: 'Equals', LeftValue: N, RightValue: '5' })).toBe(true);
    expect(check({ Type: 'Equals', LeftValue: { Get: 'Parameters.B' }, RightValue: 'true' })).toBe(
      true,
    );
    expect(check({ Type: 'Equals', LeftValue: { Get: 'Parameters.S' }, RightValue: 'c' })).toBe(
      false,
    );
  });

  it('orders numbers with GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo', () => {
    expect(check({ Type: 'GreaterThan', LeftValue: N, RightValue: 4 })).toBe(true);
    expect(check({ Type: 'GreaterThan', LeftValue: N, RightValue: 5 })).toBe(false);
    expect(check({ Type: 'GreaterThanOrEqualTo', LeftValue: N, RightValue: 5 })).toBe(true);
    expect(check({ Type: 'LessThan', LeftValue: N, RightValue: 5 })).toBe(false);
    expect(check({ Type: 'LessThan', LeftValue: '4.5', RightValue: N })).toBe(true);
    expect(check({ Type: 'LessThanOrEqualTo', LeftValue: N, RightValue: 5 })).toBe(true);
  });

  it('orders two strings lexically and refuses to order a string against a number', () => {
    expect(check({ Type: 'LessThan', LeftValue: 'a', RightValue: { Get: 'Parameters.S' } })).toBe(
      true,
    );
    expect(() => check({ Type: 'LessThan', LeftValue: 'a', RightValue: N })).toThrow(
      /LessThan compares numbers/,
    );
  });

  it('In, Not and Or', () => {
    expect(check({ Type: 'In', QueryValue: N, Values: [1, 5] })).toBe(true);
    expect(check({ Type: 'In', QueryValue: N, Values: [1, 2] })).toBe(false);
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
