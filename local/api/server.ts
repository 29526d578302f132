/**
 * SageMaker's JSON 1.1 protocol on HTTP: `POST /` with `X-Amz-Target: SageMaker.<Operation>`.
 * Validates requests against the API model, injects the configured faults and latency, and
 * answers errors as SageMaker does (`{"__type": ..., "message": ...}` plus `x-amzn-ErrorType`).
 * Extra local paths: `GET /_local/health`, `GET /_local/callbacks`, `GET|POST /_local/knobs`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConsoleOptions, consoleRoutes } from '../console/routes';
import { LocalError } from '../errors';
import { KnobError, type Knobs, parseKnob } from '../knobs';
import { isSupportedOperation, unsupportedOperation } from '../operations';
import type { Runtime } from '../runtime';
import { SageMakerApiError, toApiError } from './errors';
import { apiModel } from './model';
import { validateInput } from './validate';

// PipelineDefinition may be 1 MiB (model shape PipelineDefinition) and JSON escaping can grow it.
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ApiServerOptions {
  runtime: Runtime;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  random?: () => number;
  log?: (line: string) => void;
  /** What the web console reads besides the runtime (the local batch ledger). */
  console?: ConsoleOptions;
}

export interface ApiServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

class BodyTooLargeError extends LocalError {}

/**
 * Strict UTF-8: an invalid byte sequence is a client error, not a U+FFFD the client never sent.
 * A leading BOM is kept, as before, so it still fails JSON parsing.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body exceeds ${limit} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch (cause) {
        reject(
          new SageMakerApiError('SerializationException', 'Request body is not valid UTF-8', {
            cause,
          }),
        );
      }
    });
    request.on('error', (cause) => reject(new ClientGoneError({ cause })));
  });
}

/** The client went away before its request was read: nobody to answer, nothing wrong here. */
class ClientGoneError extends LocalError {
  constructor(options: { cause: unknown }) {
    super('the client disconnected before its request was read', options);
  }
}

/** JSON 1.1 sends timestamps as epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body, (_key, value: unknown) =>
    value === Number.POSITIVE_INFINITY ? null : value,
  );
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: SageMakerApiError) {
  send(
    response,
    error.status,
    { __type: error.type, message: error.message },
    { 'x-amzn-errortype': error.type },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the HTTP server for a runtime on 127.0.0.1 (port 0 picks a free port). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { runtime } = options;
  const random = options.random ?? Math.random;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => {});
  const consoleSite = consoleRoutes(runtime, options.console);

  const affected = (operation: string, knobs: Readonly<Knobs>) =>
    knobs.faultOperations.length === 0 || knobs.faultOperations.includes(operation);

  const handleLocal = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (path === '/_local/health') return send(response, 200, { ok: true });
    if (path === '/_local/callbacks')
      return send(response, 200, { callbacks: runtime.callbacks() });
    if (path === '/_local/knobs' && request.method === 'GET')
      return send(response, 200, runtime.knobs);
    if (path === '/_local/knobs' && request.method === 'POST') {
      try {
        const body = JSON.parse((await readBody(request, maxBody)) || '{}') as Record<
          string,
          unknown
        >;
        // JSON has no Infinity: text values go through the flag parser ("off" lifts a limit).
        let knobs: Partial<Knobs> = {};
        for (const [key, value] of Object.entries(body)) {
          knobs = {
            ...knobs,
            ...(typeof value === 'string'
              ? parseKnob(key as keyof Knobs, value)
              : { [key]: value }),
          };
        }
        return send(response, 200, runtime.setKnobs(knobs));
      } catch (error) {
        const answer = toApiError(error);
        if (answer) return sendError(response, answer);
        const message =
          error instanceof KnobError || error instanceof SyntaxError ? error.message : 'bad knobs';
        return sendError(
          response,
          new SageMakerApiError('ValidationException', message, { cause: error }),
        );
      }
    }
    return sendError(
      response,
      new SageMakerApiError(
        'UnknownOperationException',
        `No local path ${request.method} ${path}`,
        {
          status: 404,
        },
      ),
    );
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (await consoleSite(request, response, path)) return;
    if (path.startsWith('/_local/')) return handleLocal(request, response, path);
    const target = request.headers['x-amz-target'];
    const prefix = `${apiModel.targetPrefix}.`;
    if (
      request.method !== 'POST' ||
      path !== '/' ||
      typeof target !== 'string' ||
      !target.startsWith(prefix)
    ) {
      request.resume();
      return sendError(
        response,
        new SageMakerApiError(
          'UnknownOperationException',
          `Expected POST / with header X-Amz-Target: ${prefix}<Operation>, got ${request.method} ${path} with X-Amz-Target ${String(target)}`,
        ),
      );
    }
    const operation = target.slice(prefix.length);
    if (!isSupportedOperation(operation)) {
      request.resume();
      throw unsupportedOperation(operation);
    }
    let text: string;
    try {
      text = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendError(
          response,
          new SageMakerApiError('ValidationException', error.message, { status: 413 }),
        );
      }
      throw error;
    }
    const knobs = runtime.knobs;
    const faulty = affected(operation, knobs);
    if (faulty) {
      const delay =
        knobs.latencyMs + (random() < knobs.latencySpikeRate ? knobs.latencySpikeMs : 0);
      if (delay > 0) await sleep(delay);
    }
    const internalFailure = () =>
      sendError(
        response,
        new SageMakerApiError(
          'InternalFailure',
          'We encountered an internal error. Please try again.',
        ),
      );
    if (faulty && knobs.faultPhase === 'before' && random() < knobs.faultRate)
      return internalFailure();
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      return sendError(
        response,
        new SageMakerApiError(
          'SerializationException',
          `Request body is not valid JSON: ${(error as Error).message}`,
          {
            cause: error,
          },
        ),
      );
    }
    validateInput(operation, input);
    const output = await runtime.handle(operation, input as Record<string, unknown>);
    if (faulty && knobs.faultPhase === 'after' && random() < knobs.faultRate)
      return internalFailure();
    send(response, 200, toWire(output));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const answer = toApiError(error);
      if (answer) return sendError(response, answer);
      if (error instanceof ClientGoneError) return response.destroy();
      log(
        `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!response.headersSent) {
        sendError(
          response,
          new SageMakerApiError('InternalFailure', 'internal error in the local runtime'),
        );
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
