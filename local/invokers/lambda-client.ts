/**
 * Calls functions through the Lambda Invoke API with `@aws-sdk/client-lambda`: serverless-offline's
 * Lambda port under `npm start`, or AWS Lambda itself when no endpoint is given.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsRegion } from '../../shared/config';
import { type FunctionCatalog, loadFunctionCatalog } from './catalog';
import type { InvokeRequest, InvokeResult, LambdaInvoker } from './types';

export interface LambdaClientInvokerOptions {
  /** e.g. `http://127.0.0.1:3002` for serverless-offline; omit for AWS Lambda. */
  endpoint?: string;
  region?: string;
  catalog?: FunctionCatalog;
  client?: LambdaClient;
}

export interface LambdaClientInvoker extends LambdaInvoker {
  close(): void;
}

function parsePayload(bytes: Uint8Array | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Creates an invoker that sends each Lambda step to `<service>-<stage>-<key>` through the Lambda API. */
export function createLambdaClientInvoker(
  options: LambdaClientInvokerOptions = {},
): LambdaClientInvoker {
  const catalog = options.catalog ?? loadFunctionCatalog();
  const region = options.region ?? awsRegion();
  const local = options.endpoint !== undefined;
  const client =
    options.client ??
    new LambdaClient({
      region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      // serverless-offline accepts any signature; real credentials are only needed for AWS.
      ...(local && !process.env.AWS_ACCESS_KEY_ID
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
      // A retried invocation would run a step twice; the step's own timeout bounds the wait.
      maxAttempts: 1,
    });
  return {
    description: `Lambda API at ${options.endpoint ?? `AWS Lambda (${region})`}`,
    async invoke(request: InvokeRequest): Promise<InvokeResult> {
      const key = catalog.resolve(request.functionArn);
      if (!key) return { ok: false, error: catalog.unknownFunctionMessage(request.functionArn) };
      try {
        const response = await client.send(
          new InvokeCommand({
            FunctionName: catalog.deployedName(key),
            InvocationType: 'RequestResponse',
            Payload: Buffer.from(JSON.stringify(request.payload ?? null)),
          }),
          { abortSignal: request.signal },
        );
        const payload = parsePayload(response.Payload);
        if (response.FunctionError) {
          const error = payload as { errorMessage?: unknown; errorType?: unknown } | null;
          const text =
            typeof error?.errorMessage === 'string' ? error.errorMessage : JSON.stringify(payload);
          return { ok: false, error: text };
        }
        return { ok: true, payload };
      } catch (error) {
        return {
          ok: false,
          error: `invoking ${catalog.deployedName(key)} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        };
      }
    },
    close() {
      client.destroy();
    },
  };
}
