/**
 * A pass-through HTTP proxy on 127.0.0.1 that counts DynamoDB operations by their
 * `X-Amz-Target`, so a benchmark can tell how many ledger writes each item cost, whatever
 * process made them.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** DynamoDB operations that write. */
const WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

export interface CountingProxy {
  endpoint: string;
  /** Where requests go (settable once the target is known). */
  target: string;
  /** Calls by operation name (`PutItem`, `GetItem`, ...). */
  calls: Map<string, number>;
  writes(): number;
  close(): Promise<void>;
}

export const startCountingProxy = async (target = ''): Promise<CountingProxy> => {
  const calls = new Map<string, number>();
  const proxy = { target };
  const server = createServer((incoming, outgoing) => {
    const upstream = new URL(proxy.target);
    const operation =
      String(incoming.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get target() {
      return proxy.target;
    },
    set target(value: string) {
      proxy.target = value;
    },
    calls,
    writes: () =>
      [...calls.entries()].reduce((sum, [name, n]) => sum + (WRITES.has(name) ? n : 0), 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
