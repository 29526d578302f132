import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ContractDefinitionError,
  InputValidationError,
  OutputContractError,
  OutputTooLargeError,
  SagemakerPipelineLambdasError,
} from '../../shared/errors';
import {
  FanOutIncompleteError,
  NothingStartedError,
  PipelineNotAllowedError,
} from '../../shared/fan-out/errors';
import { HttpProblemError } from '../../shared/http/problem-details';

const cause = new Error('the underlying failure');

const errors: Array<[string, SagemakerPipelineLambdasError]> = [
  ['InputValidationError', new InputValidationError([{ field: 'a', problem: 'b' }], { cause })],
  ['OutputContractError', new OutputContractError('out', 'declared but not returned', { cause })],
  ['OutputTooLargeError', new OutputTooLargeError('out', 2_000, 1_024, { cause })],
  ['ContractDefinitionError', new ContractDefinitionError('bad declaration', { cause })],
  ['ConfigError', new ConfigError('missing setting', { cause })],
  ['PipelineNotAllowedError', new PipelineNotAllowedError(['p'], 'not listed', { cause })],
  ['NothingStartedError', new NothingStartedError('all deferred', { cause })],
  ['FanOutIncompleteError', new FanOutIncompleteError('3 deferred', { cause })],
  ['HttpProblemError', new HttpProblemError(404, 'not-found', 'Not Found', 'No route', { cause })],
];

describe('errors of shared/', () => {
  it.each(errors)(
    '%s subclasses the one base, names itself and carries its cause',
    (name, error) => {
      expect(error).toBeInstanceOf(SagemakerPipelineLambdasError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.constructor.name).toBe(name);
      expect(error.stack?.startsWith(`${name}: `)).toBe(true);
      expect(error.cause).toBe(cause);
    },
  );
});
