import { type IncomingHttpHeaders, request } from 'node:http';

/** What a server answered. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  port: number | string;
  host?: string;
  /** Sent as is: a URL would normalise paths like /%2e%2e/ before sending. */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/**
 * One HTTP request through node:http, so that the Host header and the raw path can be set (fetch
 * forbids the one and normalises the other); bounded in time, so a hang fails instead of stalling.
 */
export const rawRequest = (sent: RawRequest): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: sent.host ?? '127.0.0.1',
        port: sent.port,
        path: sent.path ?? '/',
        method: sent.method ?? 'GET',
        headers: sent.headers ?? {},
        timeout: sent.timeoutMs ?? 15_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer to ${sent.method ?? 'GET'} ${sent.path ?? '/'}`)),
    );
    req.on('error', reject);
    req.end(sent.body);
  });
