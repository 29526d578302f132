import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { onTestFinished } from 'vitest';
import { localSageMakerClient, readPipelineDir, upsertPipeline } from '../../../local/client';
import {
  createInProcessInvoker,
  type ExecutionSpan,
  type Knobs,
  type LocalRuntime,
  type LocalServicesOptions,
  QUIET_HANDLER_ENV,
  startLocalRuntime,
} from '../../../local/index';
import { PROJECT_ROOT } from '../../../local/invokers/catalog';
import { LOCAL_AWS_ENV } from '../../../local/invokers/in-process';

export { peakConcurrency } from '../../../bench/lib/measure';

export const CHILDREN = ['child-pipeline-1', 'child-pipeline-2'];

/** An HTTP API event for batch-api, as API Gateway (HTTP API, payload 2.0) sends it. */
export const httpEvent = (
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; key?: string } = {},
): APIGatewayProxyEventV2 => {
  const batchId = /^\/batches\/([^/]+)/.exec(path)?.[1];
  return {
    version: '2.0',
    routeKey: method === 'POST' ? 'POST /batches' : 'GET /batches/{batchId}',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    ...(batchId ? { pathParameters: { batchId } } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: method === 'POST' ? 'POST /batches' : 'GET /batches/{batchId}',
      stage: '$default',
      time: '01/Dec/2026:10:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  } as APIGatewayProxyEventV2;
};

/**
 * Holds chosen SageMaker requests forever, as a function that died before its request left
 * would: a proxy in front of the runtime; every other request passes through.
 */
export interface CrashProxy {
  url: string;
  held: number;
  close(): Promise<void>;
}

export const startCrashProxy = async (
  target: () => string,
  hold: (operation: string, seen: number) => boolean,
): Promise<CrashProxy> => {
  const counts = new Map<string, number>();
  const heldResponses: ServerResponse[] = [];
  const proxy = { url: '', held: 0 };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .at(-1) ?? '';
      const seen = (counts.get(operation) ?? 0) + 1;
      counts.set(operation, seen);
      if (hold(operation, seen)) {
        proxy.held += 1;
        heldResponses.push(response);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
        ),
      );
      fetch(`${target()}${request.url ?? '/'}`, {
        method: request.method ?? 'POST',
        headers,
        body: Buffer.concat(chunks),
      })
        .then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.1',
          });
          response.end(body);
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(proxy, {
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of heldResponses) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
};

export interface BatchWorldOptions {
  quota: number;
  budget: number;
  knobs?: Partial<Knobs>;
  services?: Omit<LocalServicesOptions, 'params'>;
  /** A SageMaker endpoint in front of the runtime (a {@link startCrashProxy}). */
  sageMakerEndpoint?: (runtimeUrl: string) => Promise<string>;
}

/** A local runtime with the project's child pipelines, its functions in process, dynalite and delivery. */
export const startBatchWorld = async (options: BatchWorldOptions) => {
  let endpoint = '';
  const local: LocalRuntime = await startLocalRuntime({
    knobs: { maxConcurrentExecutions: options.quota, ...options.knobs },
    allowedPipelines: CHILDREN.join(','),
    services: {
      scheduleEveryMs: 400,
      visibilityTimeoutMs: 300,
      ...options.services,
      params: { accountConcurrencyLimit: String(options.budget) },
    },
    invoker: (url, wiring) =>
      createInProcessInvoker({
        catalog: wiring.catalog,
        env: {
          get SAGEMAKER_ENDPOINT() {
            return endpoint || url;
          },
          FAN_OUT_ALLOWED_PIPELINES: CHILDREN.join(','),
          BATCH_RECOVERY_GRACE_SECONDS: '1',
          ...wiring.env,
        },
        defaultEnv: { ...LOCAL_AWS_ENV, ...QUIET_HANDLER_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      }),
  });
  onTestFinished(() => local.close());
  if (options.sageMakerEndpoint) endpoint = await options.sageMakerEndpoint(local.url);
  const client = localSageMakerClient(local.url);
  onTestFinished(() => client.destroy());
  for (const pipeline of readPipelineDir(join(PROJECT_ROOT, 'pipelines'))) {
    if (CHILDREN.includes(pipeline.name)) await upsertPipeline(client, pipeline);
  }
  const api = async (event: APIGatewayProxyEventV2) => {
    const result = await local.runtime.invoker.invoke({
      functionArn: 'batch-api',
      payload: event,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    });
    if (!result.ok) throw new Error(`batch-api failed: ${result.error}`);
    const answer = result.payload as { statusCode: number; body: string };
    return { status: answer.statusCode, body: JSON.parse(answer.body) as BatchAnswer };
  };
  return {
    local,
    api,
    submit: (items: unknown[], key: string, maxConcurrentExecutions: number) =>
      api(
        httpEvent('POST', '/batches', {
          key,
          body: { pipelines: CHILDREN, items, maxConcurrentExecutions },
        }),
      ),
    /** Polls GET /batches/{id} until the batch is no longer RUNNING. */
    async waitForBatch(batchId: string, timeoutMs = 25_000): Promise<BatchAnswer> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await api(httpEvent('GET', `/batches/${batchId}`));
        if (body.status !== 'RUNNING' || Date.now() > deadline) return body;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
};

export interface BatchAnswer {
  batchId: string;
  status: string;
  counts: Record<string, number>;
}

/** Executions per (pipeline, display name): each batch child's display name ends in its item index. */
export const executionsPerPair = (spans: readonly ExecutionSpan[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const span of spans) {
    const key = `${span.pipelineName}#${span.displayName}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};
