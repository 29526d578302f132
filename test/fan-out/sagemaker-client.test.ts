import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import {
  createSageMakerClient,
  FanOutRateLimiter,
  RATE_LIMITER_IDLE_RESET_MS,
} from '../../shared/fan-out/sagemaker-client';
import { throttling } from './support/fake-sagemaker';

const isEnabled = (limiter: FanOutRateLimiter): boolean =>
  Reflect.get(Reflect.get(limiter, 'limiter') as object, 'enabled') as boolean;

describe('fan-out SageMaker client', () => {
  it('uses adaptive retry mode and the endpoint from SAGEMAKER_ENDPOINT', async () => {
    const client = createSageMakerClient({ SAGEMAKER_ENDPOINT: 'http://127.0.0.1:4599' });
    expect(client).toBeInstanceOf(SageMakerClient);
    expect(client.config.retryMode).toBe('adaptive');
    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4599);
    client.destroy();
  });

  it('starts the rate limiter afresh after an idle period, not from a stale rate', () => {
    let now = 1_000_000;
    const limiter = new FanOutRateLimiter(() => now);
    limiter.updateClientSendingRate({ errorType: 'THROTTLING', error: throttling() });
    expect(isEnabled(limiter)).toBe(true);

    now += RATE_LIMITER_IDLE_RESET_MS / 2;
    limiter.updateClientSendingRate({});
    expect(isEnabled(limiter)).toBe(true);

    now += RATE_LIMITER_IDLE_RESET_MS + 1;
    limiter.updateClientSendingRate({});
    expect(isEnabled(limiter)).toBe(false);
  });
});
