import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { createSageMakerClient } from '../../shared/fan-out/sagemaker-client';

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
});
