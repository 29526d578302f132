/**
 * The API Gateway (HTTP API, payload 2.0) event `batch-api` receives for `POST /batches` or a
 * `GET /batches/{batchId}...` path, with `idempotencyKey` as its `Idempotency-Key` header.
 */
export const batchApiEvent = (
  method: 'GET' | 'POST',
  path: string,
  idempotencyKey: string,
  body?: unknown,
) => ({
  version: '2.0',
  routeKey: method === 'POST' ? 'POST /batches' : 'GET /batches/{batchId}',
  rawPath: path,
  rawQueryString: '',
  headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
  ...(method === 'GET' ? { pathParameters: { batchId: path.split('/')[2] } } : {}),
  requestContext: { http: { method, path }, requestId: 'bench' },
  isBase64Encoded: false,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
