import { describe, expect, it } from 'vitest';
import { classifyError, isThrottling } from '../../../shared/fan-out/classify';
import { serverError, throttling, validationError } from '../../support/sagemaker/fake-sagemaker';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    ...extra,
  });

describe('classifyError', () => {
  it("stops on ResourceLimitExceeded, the account's quota", () => {
    expect(classifyError(named('ResourceLimitExceeded'))).toBe('resource-limit');
  });

  it('retries throttling, 5xx, timeouts and network errors', () => {
    expect(classifyError(throttling())).toBe('transient');
    expect(classifyError(named('TooManyRequestsException'))).toBe('transient');
    expect(classifyError(named('Whatever', { $metadata: { httpStatusCode: 429 } }))).toBe(
      'transient',
    );
    expect(classifyError(serverError())).toBe('transient');
    expect(
      classifyError(
        named('ServiceUnavailable', { $fault: 'server', $metadata: { httpStatusCode: 503 } }),
      ),
    ).toBe('transient');
    expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'transient',
    );
    expect(classifyError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(
      'transient',
    );
  });

  it('retries a conflict, then lets it fail', () => {
    expect(classifyError(named('ConflictException'))).toBe('conflict');
  });

  it('fails the item on what SageMaker rejects', () => {
    expect(classifyError(named('ResourceNotFound'))).toBe('permanent');
    expect(classifyError(validationError('bad parameter'))).toBe('permanent');
    expect(
      classifyError(named('AccessDeniedException', { $metadata: { httpStatusCode: 403 } })),
    ).toBe('permanent');
  });

  it('fails at once when the client has no credentials or no region', () => {
    expect(
      classifyError(
        Object.assign(new Error('Could not load credentials'), {
          name: 'CredentialsProviderError',
        }),
      ),
    ).toBe('permanent');
    expect(classifyError(new Error('Region is missing'))).toBe('permanent');
  });

  it('tells a throttling error from a server error', () => {
    expect(isThrottling(throttling())).toBe(true);
    expect(isThrottling(serverError())).toBe(false);
  });
});
