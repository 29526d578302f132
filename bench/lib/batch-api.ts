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

/**
 * Polls `GET /batches/{batchId}` through `invoke` every `intervalMs` until the batch is no
 * longer `RUNNING`.
 * @returns its final status and how many times it was read.
 */
export const waitForBatchEnd = async (
  invoke: (functionName: string, payload: unknown) => Promise<unknown>,
  batchId: string,
  intervalMs: number,
): Promise<{ status: string; polls: number }> => {
  let status = 'RUNNING';
  let polls = 0;
  while (status === 'RUNNING') {
    polls += 1;
    await new Promise((wake) => setTimeout(wake, intervalMs));
    const answer = (await invoke(
      'batch-api',
      batchApiEvent('GET', `/batches/${batchId}`, 'bench-poll'),
    )) as { body: string };
    status = (JSON.parse(answer.body) as { status: string }).status;
  }
  return { status, polls };
};
