import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ContractDefinitionError } from '../../shared/errors';
import {
  defineLambdaStep,
  type OutputDeclaration,
  validateOutputDeclaration,
} from '../../shared/lambda-step';
import { MAX_OUTPUT_PARAMETERS } from '../../shared/limits';

const outputsNamed = (count: number): OutputDeclaration =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`out${i}`, 'String' as const]));

describe('validateOutputDeclaration', () => {
  it(`accepts exactly ${MAX_OUTPUT_PARAMETERS} outputs`, () => {
    expect(() => validateOutputDeclaration('s', outputsNamed(MAX_OUTPUT_PARAMETERS))).not.toThrow();
  });

  it(`rejects ${MAX_OUTPUT_PARAMETERS + 1} outputs`, () => {
    expect(() => validateOutputDeclaration('s', outputsNamed(MAX_OUTPUT_PARAMETERS + 1))).toThrow(
      new ContractDefinitionError('Step s declares 51 outputs; a Lambda step allows at most 50'),
    );
  });

  it('accepts an output name of 256 characters and rejects one of 257', () => {
    expect(() => validateOutputDeclaration('s', { ['a'.repeat(256)]: 'String' })).not.toThrow();
    expect(() => validateOutputDeclaration('s', { ['a'.repeat(257)]: 'String' })).toThrow(
      ContractDefinitionError,
    );
  });

  it('accepts letters, digits, underscores and hyphens in output names', () => {
    expect(() =>
      validateOutputDeclaration('s', { 'Az09_-': 'String', x: 'Integer', _: 'Boolean' }),
    ).not.toThrow();
  });

  it.each([[''], ['has space'], ['dot.ted'], ['slash/name'], ['ünïcode'], ['name\n'], ['$ref']])(
    'rejects the output name %j, quoting it',
    (name) => {
      expect(() => validateOutputDeclaration('s', { [name]: 'String' })).toThrow(
        `declares output ${JSON.stringify(name)}`,
      );
    },
  );

  it('rejects an output type that SageMaker does not know', () => {
    const outputs = { a: 'Number' } as unknown as OutputDeclaration;
    expect(() => validateOutputDeclaration('s', outputs)).toThrow(
      'Step s declares output a of type "Number"; expected one of String, Integer, Boolean, Float',
    );
  });
});

describe('defineLambdaStep declaration checks', () => {
  it('refuses to define a step whose outputs break the limits, before any invocation', () => {
    expect(() =>
      defineLambdaStep({
        name: 'bad',
        description: 'bad',
        input: v.object({}),
        outputs: { 'not valid': 'String' },
        run: () => ({ 'not valid': '' }),
      }),
    ).toThrow(ContractDefinitionError);
  });

  it('publishes the outputs as OutputParameters in declaration order', () => {
    const handler = defineLambdaStep({
      name: 'ok',
      description: 'ok',
      input: v.object({}),
      outputs: { b: 'Integer', a: 'String' },
      run: () => ({ b: 1, a: '' }),
    });
    expect(handler.contract.outputParameters).toEqual([
      { OutputName: 'b', OutputType: 'Integer' },
      { OutputName: 'a', OutputType: 'String' },
    ]);
  });
});
