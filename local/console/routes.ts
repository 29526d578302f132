/**
 * The local web console's `GET` routes, handed requests by local/api/server.ts before its own
 * routing: the page at `/` (for a browser: `Accept: text/html` and no `X-Amz-Target`) and at
 * `/console/`, its script and styles under `/console/`, the event stream `/_local/events`, and the
 * batches of the local ledger under `/_local/batches` (./batch-routes.ts). The page reads
 * everything else through the SageMaker API on `POST /` and `GET /_local/callbacks`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../runtime';
import type { BatchReader } from './batch-reader';
import { isBatchPath, serveBatches } from './batch-routes';
import { ConsoleBuildError, consoleBundle } from './bundle';
import { streamEvents } from './events-stream';

export const EVENTS_PATH = '/_local/events';
const ASSETS_PREFIX = '/console/';

/** Served with every console file: no framing, nothing from another origin. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

/**
 * Names the runtime answers to. A page on another site that rebinds its own name to 127.0.0.1
 * sends that name as Host, and is refused.
 */
function isLocalHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

function wantsPage(request: IncomingMessage): boolean {
  return (
    request.headers['x-amz-target'] === undefined &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

function plain(response: ServerResponse, status: number, text: string) {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

/** Handles one request if it is the console's; resolves false when it is not. */
export type ConsoleRoutes = (
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
) => Promise<boolean>;

export interface ConsoleOptions {
  /** The local batch ledger's reader, once the runtime's services run; undefined without them. */
  batches?: () => BatchReader | undefined;
}

/** The console's routes for one runtime. */
export function consoleRoutes(
  runtime: Pick<Runtime, 'events'>,
  options: ConsoleOptions = {},
): ConsoleRoutes {
  return async (request, response, path) => {
    if (request.method !== 'GET') return false;
    const isPage = (path === '/' && wantsPage(request)) || path === ASSETS_PREFIX;
    const isAsset = path.startsWith(ASSETS_PREFIX) && !isPage;
    const isBatches = isBatchPath(path);
    if (!isPage && !isAsset && !isBatches && path !== EVENTS_PATH) return false;
    request.resume();
    if (!isLocalHost(request.headers.host)) {
      plain(response, 403, 'The local console answers only to 127.0.0.1 and localhost.');
      return true;
    }
    if (path === EVENTS_PATH) {
      streamEvents(runtime.events, request, response);
      return true;
    }
    if (isBatches) {
      await serveBatches(options.batches?.(), request.url ?? path, path, response);
      return true;
    }
    let bundle: Awaited<ReturnType<typeof consoleBundle>>;
    try {
      bundle = await consoleBundle();
    } catch (error) {
      const detail = error instanceof ConsoleBuildError ? error.message : 'see the runtime log';
      plain(response, 503, `The console could not be built: ${detail}`);
      if (!(error instanceof ConsoleBuildError)) throw error;
      return true;
    }
    const asset = bundle.get(isPage ? 'index.html' : path.slice(ASSETS_PREFIX.length));
    if (!asset) {
      plain(response, 404, `No console file ${path}`);
      return true;
    }
    response.writeHead(200, {
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      ...PAGE_HEADERS,
    });
    response.end(asset.body);
    return true;
  };
}
