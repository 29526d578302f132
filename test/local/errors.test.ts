import { describe, expect, it } from 'vitest';
import { SageMakerApiError, toApiError } from '../../local/api/errors';
import { DefinitionError } from '../../local/engine/definition';
import { CallbackOutputError } from '../../local/engine/interpreter';
import { EvaluationError } from '../../local/engine/values';
import {
  ConflictError,
  LimitExceededError,
  LocalError,
  NotFoundError,
  ThrottlingError,
  UnsupportedOperationError,
  ValidationError,
} from '../../local/errors';
import { KnobError } from '../../local/knobs';

describe('local errors', () => {
  it('name each error after its class and carry the cause', () => {
    const cause = new Error('root');
    for (const [error, name] of [
      [new ValidationError('v', { cause }), 'ValidationError'],
      [new NotFoundError('n', { cause }), 'NotFoundError'],
      [new ConflictError('c', { cause }), 'ConflictError'],
      [new LimitExceededError('l', { cause }), 'LimitExceededError'],
      [new ThrottlingError('t', { cause }), 'ThrottlingError'],
      [new UnsupportedOperationError('u', { cause }), 'UnsupportedOperationError'],
      [new KnobError('k', { cause }), 'KnobError'],
      [new SageMakerApiError('InternalFailure', 'i', { cause }), 'SageMakerApiError'],
      [new DefinitionError('d', { cause }), 'DefinitionError'],
      [new EvaluationError('e', { cause }), 'EvaluationError'],
      [new CallbackOutputError('c', { cause }), 'CallbackOutputError'],
    ] as const) {
      expect(error).toBeInstanceOf(LocalError);
      expect(error.name).toBe(name);
      expect(error.cause).toBe(cause);
    }
  });

  it('map to HTTP only in local/api: refusals are 400s of their SageMaker type', () => {
    for (const [error, type] of [
      [new ValidationError('v'), 'ValidationException'],
      [new NotFoundError('n'), 'ResourceNotFound'],
      [new ConflictError('c'), 'ConflictException'],
      [new LimitExceededError('l'), 'ResourceLimitExceeded'],
      [new ThrottlingError('t'), 'ThrottlingException'],
      [new UnsupportedOperationError('u'), 'UnknownOperationException'],
    ] as const) {
      expect(toApiError(error)).toMatchObject({ type, status: 400, message: error.message });
    }
    expect(toApiError(new KnobError('not an operation error'))).toBeUndefined();
    expect(toApiError(new Error('bug'))).toBeUndefined();
  });
});
