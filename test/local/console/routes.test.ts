import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PipelineEvent } from '../../../local/events';
import { type LocalRuntime, startLocalRuntime } from '../../../local/index';
import { type RawAnswer, rawRequest } from '../../support/local/raw-http';
import { definition, fakeInvoker, lambdaStep, waitFor } from '../../support/local/runtime';

/** A raw GET, so the Host header can be set (fetch forbids it). */
const get = (
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> => {
  const { hostname, port } = new URL(url);
  return rawRequest({ host: hostname, port, path, headers });
};

/** Reads server-sent events until `count` arrived, then closes the stream. */
async function readEvents(url: string, count: number, start: () => Promise<void>) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const first = await reader.read();
  text += decoder.decode(first.value);
  expect(text).toContain('retry: 1000');
  await start();
  const messages: { event: string; id: string; data: PipelineEvent }[] = [];
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end = text.indexOf('\n\n');
    while (end !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => !line.startsWith(':') && line.includes(': '))
          .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
      );
      if (fields.data) {
        messages.push({
          event: fields.event ?? '',
          id: fields.id ?? '',
          data: JSON.parse(fields.data),
        });
      }
      end = text.indexOf('\n\n');
    }
  }
  controller.abort();
  return messages;
}

describe('console routes on the runtime server', () => {
  let local: LocalRuntime;
  beforeAll(async () => {
    let next = 0;
    local = await startLocalRuntime({
      invoker: fakeInvoker({ echo: () => ({ out: 'x' }) }),
      ids: { executionId: () => `exec${String(++next).padStart(8, '0')}` },
    });
    await local.runtime.handle('CreatePipeline', {
      PipelineName: 'demo',
      PipelineDefinition: definition([
        lambdaStep('One', 'echo', {}, { out: 'String' }),
        lambdaStep('Two', 'echo', {}, {}, { DependsOn: ['One'] }),
      ]),
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      ClientRequestToken: 'console-routes-create-00000000001',
    });
  });
  afterAll(async () => {
    await local?.close();
  });

  it('serves the page at / to a browser, with a policy that allows nothing from other origins', async () => {
    const page = await get(local.url, '/', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script type="module" src="/console/app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(local.url, '/console/')).text).toBe(page.text);
  });

  it('leaves / to the SageMaker API for anything but a browser page request', async () => {
    const variants: Record<string, string>[] = [
      {},
      { accept: '*/*' },
      { accept: 'text/html', 'x-amz-target': 'SageMaker.ListPipelines' },
    ];
    for (const headers of variants) {
      const answer = await get(local.url, '/', headers);
      expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(JSON.parse(answer.text)).toMatchObject({ __type: 'UnknownOperationException' });
    }
  });

  it('serves the bundled script and styles, and 404 for other console paths', async () => {
    const script = await get(local.url, '/console/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Everything is bundled: the script imports nothing from the network or the disk.
    expect(script.text).not.toMatch(/\bimport\s*["'(]|from\s*["']https?:/);
    const styles = await get(local.url, '/console/style.css');
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(local.url, '/console/../package.json')).status).toBe(404);
    expect((await get(local.url, '/console/nope.js')).status).toBe(404);
  });

  it('answers only to local host names, so a rebound DNS name cannot read the console', async () => {
    for (const host of ['evil.example:80', 'localhost.evil.example', '127.0.0.1.nip.io']) {
      const answer = await get(local.url, '/console/app.js', { host });
      expect(answer.status).toBe(403);
      expect((await get(local.url, '/_local/events', { host })).status).toBe(403);
    }
    const port = new URL(local.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await get(local.url, '/console/style.css', { host })).status).toBe(200);
    }
  });

  it('streams an execution’s status events as server-sent events, filtered by executionArn', async () => {
    const startOne = async () => {
      const started = (await local.runtime.handle('StartPipelineExecution', {
        PipelineName: 'demo',
        ClientRequestToken: `console-routes-start-${Math.random().toString(36).slice(2, 14).padEnd(12, '0')}`,
      })) as { PipelineExecutionArn: string };
      await local.runtime.waitForExecution(started.PipelineExecutionArn);
      return started.PipelineExecutionArn;
    };
    let arn = '';
    const all = await readEvents(`${local.url}/_local/events`, 8, async () => {
      arn = await startOne();
    });
    // Execution Executing, One Starting/Executing/Succeeded, Two the same, execution Succeeded.
    expect(
      all.map((m) => [
        m.data.detail.stepName ?? '',
        m.data.detail.currentStepStatus ?? m.data.detail.currentPipelineExecutionStatus,
      ]),
    ).toEqual([
      ['', 'Executing'],
      ['One', 'Starting'],
      ['One', 'Executing'],
      ['One', 'Succeeded'],
      ['Two', 'Starting'],
      ['Two', 'Executing'],
      ['Two', 'Succeeded'],
      ['', 'Succeeded'],
    ]);
    for (const message of all) {
      expect(message.event).toBe(message.data['detail-type']);
      expect(message.id).toBe(message.data.id);
      expect(message.data.detail.pipelineExecutionArn).toBe(arn);
    }
    // Ids are counted: the next two executions are exec00000002 and exec00000003.
    const third = arn.replace(/exec\d{8}$/, 'exec00000003');
    const filtered = await readEvents(
      `${local.url}/_local/events?executionArn=${encodeURIComponent(third)}`,
      8,
      async () => {
        await startOne();
        expect(await startOne()).toBe(third);
      },
    );
    expect(filtered.map((m) => m.data.detail.pipelineExecutionArn)).toEqual(Array(8).fill(third));
  });

  it('stops listening to the runtime when the browser closes the stream', async () => {
    const unsubscribed = vi.fn();
    const subscribe = local.runtime.events.subscribe;
    const spy = vi.spyOn(local.runtime.events, 'subscribe').mockImplementation((listener) => {
      const off = subscribe(listener);
      return () => {
        unsubscribed();
        return off();
      };
    });
    try {
      const controller = new AbortController();
      const response = await fetch(`${local.url}/_local/events`, { signal: controller.signal });
      await (response.body as ReadableStream<Uint8Array>).getReader().read();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(unsubscribed).not.toHaveBeenCalled();
      controller.abort();
      await waitFor(() => unsubscribed.mock.calls.length === 1, 5000, 'the stream to unsubscribe');
    } finally {
      spy.mockRestore();
    }
  });
});
