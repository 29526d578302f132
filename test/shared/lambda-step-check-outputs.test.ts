import { describe, expect, it } from 'vitest';
import { OutputContractError } from '../../shared/errors';
import { checkOutputs, type OutputDeclaration } from '../../shared/lambda-step';
import { MAX_OUTPUT_VALUE_LENGTH } from '../../shared/limits';
import { thrownBy } from '../support/thrown';

const declared = {
  name: 'String',
  count: 'Integer',
  ratio: 'Float',
  ready: 'Boolean',
} as const satisfies OutputDeclaration;

const valid = () => ({ name: 'a', count: 3, ratio: 0.5, ready: true });

/** Runs checkOutputs and returns the OutputContractError it throws. */
const defectOf = (outputs: OutputDeclaration, result: unknown): OutputContractError =>
  thrownBy(() => checkOutputs(outputs, result), OutputContractError);

describe('checkOutputs', () => {
  it('returns a result that has exactly the declared keys with the declared types', () => {
    const result = valid();
    expect(checkOutputs(declared, result)).toBe(result);
  });

  it('rejects a result that is missing a declared output, naming it', () => {
    const { ratio: _, ...result } = valid();
    const error = defectOf(declared, result);
    expect(error.output).toBe('ratio');
    expect(error.message).toBe(
      "Output ratio breaks the step's contract: declared but not returned",
    );
  });

  it('rejects a result with an undeclared extra key, naming it', () => {
    const error = defectOf(declared, { ...valid(), extra: 'x' });
    expect(error.output).toBe('extra');
    expect(error.message).toContain('returned but not declared');
  });

  it('rejects an own "__proto__" key as undeclared', () => {
    const result = JSON.parse('{"name":"a","count":3,"ratio":0.5,"ready":true,"__proto__":1}');
    expect(defectOf(declared, result).output).toBe('__proto__');
  });

  it.each([
    [null, 'null'],
    [[], 'an array of 0'],
    ['text', 'string "text"'],
    [undefined, 'nothing'],
  ])('rejects a result that is not an object of outputs (%j)', (result, described) => {
    const error = defectOf(declared, result);
    expect(error.output).toBe('(result)');
    expect(error.message).toContain(`returned ${described}`);
  });

  describe('String outputs', () => {
    it(`accepts a value of exactly ${MAX_OUTPUT_VALUE_LENGTH} characters`, () => {
      expect(() =>
        checkOutputs({ s: 'String' }, { s: 'x'.repeat(MAX_OUTPUT_VALUE_LENGTH) }),
      ).not.toThrow();
    });

    it(`rejects a value of ${MAX_OUTPUT_VALUE_LENGTH + 1} characters`, () => {
      const error = defectOf({ s: 'String' }, { s: 'x'.repeat(MAX_OUTPUT_VALUE_LENGTH + 1) });
      expect(error.output).toBe('s');
      expect(error.message).toContain('1025 characters, over the 1024-character limit');
    });

    it('counts characters, not UTF-16 units: 1,024 emoji fit, 1,025 do not', () => {
      expect(() => checkOutputs({ s: 'String' }, { s: '😀'.repeat(1024) })).not.toThrow();
      expect(defectOf({ s: 'String' }, { s: '😀'.repeat(1025) }).output).toBe('s');
    });

    it('accepts the empty string', () => {
      expect(() => checkOutputs({ s: 'String' }, { s: '' })).not.toThrow();
    });

    it.each([[3], [true], [null], [{}], [['a']]])('rejects the non-string %j', (value) => {
      const error = defectOf({ s: 'String' }, { s: value });
      expect(error.message).toContain('declared String');
    });
  });

  describe('Integer outputs', () => {
    it('accepts the safe integer boundaries and zero', () => {
      for (const n of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, -0]) {
        expect(() => checkOutputs({ n: 'Integer' }, { n })).not.toThrow();
      }
    });

    it('rejects an Integer output that is not a safe integer', () => {
      for (const n of [Number.MAX_SAFE_INTEGER + 1, Number.MIN_SAFE_INTEGER - 1, 2 ** 60]) {
        const error = defectOf({ n: 'Integer' }, { n });
        expect(error.output).toBe('n');
        expect(error.message).toContain('not a safe integer');
      }
    });

    it.each([[1.5], [Number.NaN], [Number.POSITIVE_INFINITY], ['3'], [true], [null]])(
      'rejects %j',
      (n) => {
        expect(defectOf({ n: 'Integer' }, { n }).message).toContain('declared Integer');
      },
    );
  });

  describe('Float outputs', () => {
    it('accepts finite numbers, integers included', () => {
      for (const f of [0.5, -1e-300, Number.MAX_VALUE, -Number.MAX_VALUE, 3, 0]) {
        expect(() => checkOutputs({ f: 'Float' }, { f })).not.toThrow();
      }
    });

    it.each([
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      [Number.NEGATIVE_INFINITY],
      ['0.5'],
      [false],
      [null],
    ])('rejects %j as not a finite number', (f) => {
      const error = defectOf({ f: 'Float' }, { f });
      expect(error.output).toBe('f');
      expect(error.message).toContain('declared Float');
    });
  });

  describe('Boolean outputs', () => {
    it('accepts true and false', () => {
      expect(() => checkOutputs({ b: 'Boolean' }, { b: false })).not.toThrow();
      expect(() => checkOutputs({ b: 'Boolean' }, { b: true })).not.toThrow();
    });

    it.each([['true'], [1], [0], [null]])('rejects %j', (b) => {
      const error = defectOf({ b: 'Boolean' }, { b });
      expect(error.output).toBe('b');
      expect(error.message).toContain('declared Boolean');
    });
  });
});
