/** Helpers shared by the local runtime tests. */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Json, StepDeclaration } from '../../../local/engine/definition';
import type { InvokeRequest, InvokeResult, LambdaInvoker } from '../../../local/invokers/types';
import { outputParameters } from '../../../shared/lambda-step';

export type FakeFunction = (payload: Record<string, unknown>) => unknown | Promise<unknown>;

/** An invoker whose functions are plain callbacks keyed by function name (last ARN segment). */
export function fakeInvoker(functions: Record<string, FakeFunction>): LambdaInvoker & {
  calls: InvokeRequest[];
} {
  const calls: InvokeRequest[] = [];
  return {
    description: 'fake',
    calls,
    async invoke(request): Promise<InvokeResult> {
      calls.push(request);
      const name = request.functionArn.split(':').at(-1) ?? '';
      const fn = functions[name];
      if (!fn) return { ok: false, error: `no fake function ${name}` };
      try {
        return { ok: true, payload: await fn(request.payload as Record<string, unknown>) };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    },
  };
}

export const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A Lambda step declaration. */
export function lambdaStep(
  name: string,
  fn: string,
  args: Json = {},
  outputs: Record<string, 'String' | 'Integer' | 'Float' | 'Boolean'> = {},
  extra: Partial<StepDeclaration> = {},
): StepDeclaration {
  return {
    Name: name,
    Type: 'Lambda',
    FunctionArn: arn(fn),
    Arguments: args,
    OutputParameters: outputParameters(outputs),
    ...extra,
  };
}

/** A Callback step that sends its arguments to queue `queue` of the test account. */
export function callbackStep(
  name: string,
  args: Json,
  outputs: Record<string, 'String' | 'Integer' | 'Float' | 'Boolean'>,
  queue = 'jobs',
): StepDeclaration {
  return {
    Name: name,
    Type: 'Callback',
    Arguments: args,
    SqsQueueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${queue}`,
    OutputParameters: outputParameters(outputs),
  };
}

/** A definition JSON string. */
export function definition(
  steps: StepDeclaration[],
  parameters: Json[] = [],
  extra: Record<string, Json> = {},
): string {
  return JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: parameters,
    Steps: steps,
    ...extra,
  });
}

/** Resolves once `check` returns a truthy value, polling; rejects after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A deferred promise, for functions that finish when the test says so. */
export function deferred<T = void>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The error a client call rejects with (fails the test if it resolves). */
export async function errorOf(
  call: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

export type Client = SageMakerClient;

/** Steps as a JSON value, for a Condition's IfSteps / ElseSteps. */
export const branch = (...steps: StepDeclaration[]): Json => steps as unknown as Json;
