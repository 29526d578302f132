import { describe, expect, it } from 'vitest';
import type { Json, Primitive } from '../../../local/engine/definition';
import { FloatValue, pythonFloat } from '../../../local/engine/floats';
import {
  defaultValue,
  EvaluationError,
  evaluate,
  evaluateText,
  matchesType,
  parseTyped,
  renderValue,
  type Scope,
  typedOutput,
  unavailableProperty,
} from '../../../local/engine/values';

const scope: Scope = {
  parameters: new Map<string, Primitive>([
    ['S', 'text'],
    ['N', 4],
    ['F', new FloatValue(1)],
    ['Tiny', new FloatValue(0.00001)],
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
    expect(parseTyped('Float', '1e3')).toEqual(new FloatValue(1000));
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

  it('renders floats as Python str(float) does (values checked against CPython 3)', () => {
    const python: [number, string][] = [
      [1, '1.0'],
      [0.1, '0.1'],
      [0.00001, '1e-05'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [0.0001, '0.0001'],
      [1.5e-7, '1.5e-07'],
      [-0, '-0.0'],
      [1e22, '1e+22'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [0.1 + 0.2, '0.30000000000000004'],
      [2 ** 53, '9007199254740992.0'],
      [123456789, '123456789.0'],
      [1.2345678901234567e19, '1.2345678901234567e+19'],
      [-2.5e-10, '-2.5e-10'],
      [100, '100.0'],
    ];
    for (const [value, text] of python) expect(pythonFloat(value)).toBe(text);
  });

  it('keeps Float values Floats: Std:Join renders them as floats, JSON as numbers', () => {
    const join = (values: Json[]) => evaluate({ 'Std:Join': { On: ' ', Values: values } }, scope);
    expect(
      join([{ Get: 'Parameters.F' }, { Get: 'Parameters.Tiny' }, { Get: 'Parameters.N' }]),
    ).toBe('1.0 1e-05 4');
    // A number written in the definition: JSON keeps no 2.0 apart from 2, so a whole one is an integer.
    expect(join([2, 0.5, 1e-7])).toBe('2 0.5 1e-07');
    expect(evaluate({ x: { Get: 'Parameters.F' } }, scope)).toEqual({ x: 1 });
    expect(evaluateText({ Get: 'Parameters.F' }, scope)).toBe('1.0');
    expect(evaluateText({ Get: 'Steps.cond.Outcome' }, scope)).toBe('true');
    expect(renderValue(new FloatValue(3))).toBe('3.0');
    expect(JSON.stringify({ v: new FloatValue(3) })).toBe('{"v":3}');
  });

  it('types parameter values, defaults and function outputs declared Float as Floats', () => {
    expect(parseTyped('Float', '1')).toEqual(new FloatValue(1));
    expect(parseTyped('Float', '1E-5')?.toString()).toBe('1e-05');
    expect(defaultValue({ Name: 'f', Type: 'Float', DefaultValue: 2 })).toEqual(new FloatValue(2));
    expect(typedOutput('Float', 2)).toEqual(new FloatValue(2));
    expect(typedOutput('Integer', 2)).toBe(2);
    expect(typedOutput('Float', '2')).toBeUndefined();
  });
});
