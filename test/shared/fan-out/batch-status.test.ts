import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/fan-out-api/handler';
import { configFromEnvironment } from '../../../shared/config';
import { MAX_STATUS_PAGES } from '../../../shared/fan-out/batch-status';
import { parseDescription } from '../../../shared/fan-out/description';
import { batchIdOf } from '../../../shared/fan-out/identity';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import { type FakeSageMaker, useFakeSageMaker } from '../../support/sagemaker/fake-sagemaker';

const handler = createHandler(
  configFromEnvironment({
    FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  }),
);

type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
const invoke = async (event: APIGatewayProxyEventV2) =>
  (await handler(event, lambdaContext())) as Response;

const post = (key: string, items: unknown[]) => {
  const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
  event.body = JSON.stringify({ pipelines: ['child-pipeline-1'], items });
  event.headers = { ...event.headers, 'idempotency-key': key };
  return invoke(event);
};

const get = (batchId: string, query: Record<string, string>) => {
  const event = loadEvent<APIGatewayProxyEventV2>('fan-out-api-get');
  event.pathParameters = { batchId };
  event.queryStringParameters = { pipelines: 'child-pipeline-1', ...query };
  return invoke(event);
};

interface StatusBody {
  createdAfter: string;
  counts: Record<string, number>;
  nextToken?: string;
  pipelines: Array<{ executions: Array<{ index: number }>; complete: boolean }>;
}

describe('GET /fan-outs/{batchId}: bounded and honest', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
  });

  it("puts the batch's creation time in each description and returns it from POST", async () => {
    const before = Date.now();
    const response = await post('created', ['a', 'b']);
    const { createdAt } = JSON.parse(response.body) as { createdAt: string };
    expect(Date.parse(createdAt)).toBeGreaterThanOrEqual(before);
    for (const execution of fake.executions) {
      expect(parseDescription(execution.description).createdAt?.toISOString()).toBe(createdAt);
    }
  });

  it('lists with CreatedAfter, oldest first, and pages with nextToken', async () => {
    // An older batch of 300 the listing must not read.
    await post(
      'older',
      Array.from({ length: 300 }, (_, i) => i),
    );
    for (const e of fake.executions) e.createdTime = new Date(Date.now() - 3_600_000);
    const items = Array.from({ length: 650 }, (_, i) => `i${i}`);
    const started = JSON.parse((await post('paged', items)).body) as { createdAt: string };
    fake.listCalls = 0;

    const first = JSON.parse(
      (await get(batchIdOf('paged'), { createdAfter: started.createdAt })).body,
    ) as StatusBody;
    expect(fake.listCalls).toBe(MAX_STATUS_PAGES);
    expect(first.createdAfter).toBe(started.createdAt);
    expect(first.pipelines[0]?.executions).toHaveLength(MAX_STATUS_PAGES * 100);
    expect(first.pipelines[0]?.complete).toBe(false);
    expect(first.counts.Executing).toBe(MAX_STATUS_PAGES * 100);
    expect(first.nextToken).toMatch(/^[A-Za-z0-9_-]+$/);

    const second = JSON.parse(
      (await get(batchIdOf('paged'), { nextToken: first.nextToken as string })).body,
    ) as StatusBody;
    expect(fake.listCalls).toBe(MAX_STATUS_PAGES + 2);
    expect(second.pipelines[0]?.executions.map((e) => e.index)).toEqual(
      items.slice(500).map((_, i) => 500 + i),
    );
    expect(second.pipelines[0]?.complete).toBe(true);
    expect(second).not.toHaveProperty('nextToken');
  });

  it('looks back 7 days without createdAfter, and says so', async () => {
    await post('recent', ['a']);
    const body = JSON.parse((await get(batchIdOf('recent'), {})).body) as StatusBody;
    expect(Date.now() - Date.parse(body.createdAfter)).toBeGreaterThanOrEqual(
      7 * 24 * 3600 * 1000 - 60_000,
    );
    expect(body.pipelines[0]?.executions).toHaveLength(1);
  });

  it('answers 400 naming createdAfter or nextToken when they are not what it gave', async () => {
    for (const [query, field] of [
      [{ createdAfter: 'yesterday' }, 'createdAfter'],
      [{ nextToken: 'bm90IGpzb24' }, 'nextToken'],
      [{ nextToken: 'a b' }, 'nextToken'],
    ] as const) {
      const response = await get(batchIdOf('x'), query);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).errors[0].field).toBe(field);
    }
    expect(fake.listCalls).toBe(0);
  });
});
