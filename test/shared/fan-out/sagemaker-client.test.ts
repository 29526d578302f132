import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import { errorName, isThrottling } from '../../../shared/fan-out/classify';
import { createSageMakerClient, sageMakerPort } from '../../../shared/fan-out/sagemaker-client';
import {
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
  sdkRequestHandler,
} from '../../../shared/sdk-settings';
import {
  inTurn,
  type ScriptedSageMaker,
  startScriptedSageMaker,
} from '../../support/sagemaker/scripted-sagemaker';

describe('fan-out SageMaker client', () => {
  it('uses adaptive retry mode and the configured endpoint', async () => {
    const client = createSageMakerClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4599',
    });
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

describe('sageMakerPort over the fan-out client: onRetry', () => {
  let service: ScriptedSageMaker | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  const input = (token: string) => ({
    PipelineName: 'child-a',
    ClientRequestToken: token.padEnd(32, '0'),
  });
  const recorder = () => {
    const errors: unknown[] = [];
    return { errors, onRetry: (error: unknown) => errors.push(error) };
  };

  it('tells onRetry of each throttled attempt the SDK retries before the call succeeds', async () => {
    service = await startScriptedSageMaker(inTurn('throttled', 'throttled'));
    const { errors, onRetry } = recorder();
    const output = await sageMakerPort(service.client).startPipelineExecution(input('a'), {
      onRetry,
    });
    expect(output.PipelineExecutionArn).toContain('/execution/');
    expect(output.$metadata.attempts).toBe(3);
    expect(errors.map(errorName)).toEqual(['ThrottlingException', 'ThrottlingException']);
    expect(errors.every(isThrottling)).toBe(true);
    expect(service.answered).toEqual({ ok: 1, throttled: 2, 'server-error': 0 });
  });

  it('tells onRetry of a 5xx retry with the server error, which is not throttling', async () => {
    service = await startScriptedSageMaker(inTurn('server-error', 'throttled'));
    const { errors, onRetry } = recorder();
    await sageMakerPort(service.client).startPipelineExecution(input('a'), { onRetry });
    expect(errors.map(errorName)).toEqual(['InternalFailure', 'ThrottlingException']);
    expect(errors.map(isThrottling)).toEqual([false, true]);
  });

  it('does not report the last attempt when the SDK gives up: that answer was not retried', async () => {
    service = await startScriptedSageMaker(() => 'throttled');
    const { errors, onRetry } = recorder();
    const call = sageMakerPort(service.client).startPipelineExecution(input('a'), { onRetry });
    await expect(call).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { attempts: SDK_MAX_ATTEMPTS },
    });
    expect(errors).toHaveLength(SDK_MAX_ATTEMPTS - 1);
    expect(service.answered.throttled).toBe(SDK_MAX_ATTEMPTS);
  });

  it('tells each call of its own retries only, when calls run at once on one client', async () => {
    service = await startScriptedSageMaker((request, earlier) =>
      String(request.input.ClientRequestToken).startsWith('slow') && earlier < 2
        ? 'throttled'
        : 'ok',
    );
    const port = sageMakerPort(service.client);
    const slow = recorder();
    const fast = recorder();
    await Promise.all([
      port.startPipelineExecution(input('slow'), { onRetry: slow.onRetry }),
      port.startPipelineExecution(input('fast'), { onRetry: fast.onRetry }),
    ]);
    expect(slow.errors).toHaveLength(2);
    expect(fast.errors).toHaveLength(0);
  });

  it('sends calls without onRetry unobserved, and lists executions', async () => {
    service = await startScriptedSageMaker(inTurn('throttled'));
    const port = sageMakerPort(service.client);
    const output = await port.startPipelineExecution(input('a'));
    expect(output.$metadata.attempts).toBe(2);
    const { errors, onRetry } = recorder();
    const page = await port.listPipelineExecutions({ PipelineName: 'child-a' }, { onRetry });
    expect(page.PipelineExecutionSummaries).toEqual([]);
    expect(errors).toHaveLength(0);
  });
});

describe('fan-out SageMaker client: an endpoint that never answers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('gives up each attempt after the request timeout and retries, instead of holding the function', async () => {
    let requests = 0;
    server = createServer(() => {
      requests += 1;
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createSageMakerClient(
      {
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
      { requestTimeoutMs: 200 },
    );
    const call = sageMakerPort(client).startPipelineExecution({
      PipelineName: 'child-a',
      ClientRequestToken: 'a'.padEnd(32, '0'),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(requests).toBe(SDK_MAX_ATTEMPTS);
    client.destroy();
  });

  it('bounds every attempt by default', () => {
    expect(sdkRequestHandler()).toEqual({
      connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
      requestTimeout: SDK_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
  });
});
