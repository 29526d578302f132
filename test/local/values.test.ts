import { describe, expect, it } from 'vitest';
import type { Primitive } from '../../local/engine/definition';
import {
  defaultValue,
  EvaluationError,
  evaluate,
  matchesType,
  parseTyped,
  type Scope,
  unavailableProperty,
} from '../../local/engine/values';

const scope: Scope = {
  parameters: new Map<string, Primitive>([
    ['S', 'text'],
    ['N', 4],
  ]),
  execution: (variable) => `exec:${variable}`,
  stepOutput: (step, output) => {
    if (step === 'a' && output === 'x') return 42;
    throw new EvaluationError(`step '${step}' has no output '${output}' in this execution`);
  },
  stepProperty: (step, property) => {
    if (step === 'cond' && property === 'Outcome') return true;
    throw unavailableProperty(step, property);
  },
};

describe('values', () => {
  it('evaluates Get references of each kind', () => {
    expect(evaluate({ Get: 'Parameters.S' }, scope)).toBe('text');
    expect(evaluate({ Get: 'Execution.PipelineName' }, scope)).toBe('exec:PipelineName');
    expect(evaluate({ Get: "Steps.a.OutputParameters['x']" }, scope)).toBe(42);
    expect(evaluate({ Get: 'Steps.cond.Outcome' }, scope)).toBe(true);
  });

  it('joins values with Std:Join, rendering numbers and booleans as text', () => {
    expect(
      evaluate({ 'Std:Join': { On: '-', Values: ['a', { Get: 'Parameters.N' }, false] } }, scope),
    ).toBe('a-4-false');
    expect(evaluate({ 'Std:Join': { Values: ['a', 'b'] } }, scope)).toBe('ab');
  });

  it('rejects a Std:Join of an object and a malformed Std:Join', () => {
    expect(() => evaluate({ 'Std:Join': { On: ',', Values: [{ a: 1 }] } }, scope)).toThrow(
      'Std:Join can only join primitive values, got {"a":1}',
    );
    expect(() => evaluate({ 'Std:Join': { On: ',' } }, scope)).toThrow(/Std:Join needs/);
  });

  it('fails on Std:JsonGet and on a missing step output', () => {
    expect(() => evaluate({ 'Std:JsonGet': { Path: 'x' } }, scope)).toThrow(
      /Std:JsonGet is not supported in local mode/,
    );
    expect(() => evaluate({ Get: "Steps.a.OutputParameters['y']" }, scope)).toThrow(
      "step 'a' has no output 'y'",
    );
  });

  it('leaves an object with Get among other keys as a literal object', () => {
    expect(evaluate({ Get: 'x', Other: 1 }, scope)).toEqual({ Get: 'x', Other: 1 });
  });

  it('parses parameter values by declared type and refuses values that do not parse', () => {
    expect(parseTyped('Integer', ' 12 ')).toBe(12);
    expect(parseTyped('Integer', '1.5')).toBeUndefined();
    expect(parseTyped('Float', '1e3')).toBe(1000);
    expect(parseTyped('Float', 'abc')).toBeUndefined();
    expect(parseTyped('Boolean', 'TRUE')).toBe(true);
    expect(parseTyped('Boolean', 'yes')).toBeUndefined();
    expect(parseTyped('String', ' as is ')).toBe(' as is ');
  });

  it('checks function outputs against their declared type', () => {
    expect(matchesType('Integer', 3)).toBe(true);
    expect(matchesType('Integer', 3.1)).toBe(false);
    expect(matchesType('Float', 3)).toBe(true);
    expect(matchesType('Float', '3')).toBe(false);
    expect(matchesType('String', 3)).toBe(false);
    expect(matchesType('Boolean', 'true')).toBe(false);
  });

  it('reads primitive default values only', () => {
    expect(defaultValue({ Name: 'a', Type: 'Integer', DefaultValue: 2 })).toBe(2);
    expect(defaultValue({ Name: 'a', Type: 'String' })).toBeUndefined();
  });
});
