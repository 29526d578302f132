import { isDeepStrictEqual } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/fan-out-api/handler';
import { fanOutRequestSchema } from '../../shared/fan-out/request';
import { readJsonBody } from '../../shared/http/request';
import { parseEvent } from '../../shared/validation';
import {
  ABUSE_RUNS,
  badValueRarelyHuge,
  type FanOutSample,
  fanOutSample,
  HUGE,
  jsonText,
  ownRecord,
  pipelineArnOf,
} from '../support/abuse/arbitraries';
import {
  abuseSuite,
  check,
  expectCallsMatchPlan,
  expectPrototypesClean,
  FAN_OUT_RUNS,
  fieldUnder,
} from '../support/abuse/fan-out-harness';
import {
  ALLOWED_PIPELINES,
  fanOutTestConfig,
  type HttpResponse,
} from '../support/fan-out/handler-config';
import { lambdaContext, loadEvent } from '../support/lambda/events';

const handler = createHandler(fanOutTestConfig());

/** What an HTTP input must get: one of these statuses, and for a 4xx the problem's type and field. */
interface HttpExpectation {
  statuses: readonly number[];
  /** The end of the problem's `type` URN (`invalid-request`, `malformed-body`, ...). */
  problem?: string;
  /** A field the problem's `errors` must name. */
  field?: string;
}

interface HttpSample {
  kind: string;
  event: APIGatewayProxyEventV2;
  expected: HttpExpectation;
  /** POST inputs: the effective request is planned after the call. */
  post: boolean;
  /** Something is wrong with it: all but untouched valid requests. */
  bad: boolean;
}

const POST = loadEvent<APIGatewayProxyEventV2>('fan-out-api-post');
const GET = loadEvent<APIGatewayProxyEventV2>('fan-out-api-get');

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/problem+json',
  'application/vnd.example+json; version=2',
  ' application/json ',
];
const OTHER_TYPES = [
  // Backtracking bait for the media-type pattern.
  `application/${'a+'.repeat(300_000)}`,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonp',
  'application/json, text/plain',
  'json',
  '',
  'application/xml',
  'x'.repeat(1024 * 1024),
];

/** Byte sequences that are never valid UTF-8. */
const INVALID_UTF8 = [
  [0xff],
  [0x80],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
].map((bytes) => Buffer.from(bytes));

/** What a fan-out expectation means over HTTP. */
const statusesFor = (sample: FanOutSample): HttpExpectation => {
  const expected = sample.expected;
  switch (expected.kind) {
    case 'accept':
      return { statuses: [200] };
    case 'reject':
      return { statuses: [400], problem: 'invalid-request', field: expected.field };
    case 'not-allowed':
      return { statuses: [403], problem: 'pipeline-not-allowed' };
    default:
      return { statuses: [200, 400, 403] };
  }
};

/** Where the batch key travels: the Idempotency-Key header, the body, both, or neither. */
const PLACEMENTS = ['body', 'header', 'both', 'none', 'differ', 'header-empty', 'header-long'];

/** Body encodings and the damage done to them. */
const ENCODINGS = [
  'json',
  'base64',
  'invalid-utf8',
  'raw-lone-surrogate',
  'truncated',
  'not-an-object',
  'empty',
  'not-base64',
  'oversized',
];

const postSample = fc
  .tuple(
    fanOutSample(ALLOWED_PIPELINES),
    fc.constantFrom(...PLACEMENTS),
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...JSON_TYPES) },
      { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, ...OTHER_TYPES) },
    ),
    fc.oneof(
      { weight: 150, arbitrary: fc.constantFrom('json', 'base64') },
      { weight: 40, arbitrary: fc.constantFrom(...ENCODINGS.slice(2, -1)) },
      // Over 1 MB: rare, since each costs a few milliseconds to build and to refuse.
      { weight: 1, arbitrary: fc.constant('oversized') },
    ),
    fc.boolean(),
    fc.nat(),
  )
  .map(([sample, chosen, contentType, encoding, titleCase, pick]): HttpSample => {
    let expected = statusesFor(sample);
    const request = sample.request;
    const key = request.batchKey;
    // Mutations of the key itself keep it in the body, where it was broken.
    const keyIsSound = typeof key === 'string' && key.length >= 1 && key.length <= 2048;
    const placement = keyIsSound ? chosen : 'body';
    const withoutKey = ownRecord(Object.entries(request).filter(([k]) => k !== 'batchKey'));
    const headers: Record<string, string> = {
      accept: 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
    };
    const header = (name: string, value: string) => {
      headers[titleCase ? name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()) : name] = value;
    };
    let body: Record<string, unknown> = request;
    switch (placement) {
      case 'header':
        header('idempotency-key', key as string);
        body = withoutKey;
        break;
      case 'both':
        header('idempotency-key', key as string);
        break;
      case 'none':
        body = withoutKey;
        break;
      case 'differ':
        header('idempotency-key', `${String(key).slice(0, 10)}-other`);
        expected = { statuses: [400], problem: 'invalid-request', field: 'batchKey' };
        break;
      case 'header-empty':
      case 'header-long':
        header('idempotency-key', placement === 'header-empty' ? '' : 'k'.repeat(2049));
        body = withoutKey;
        expected = { statuses: [400], problem: 'invalid-request', field: 'Idempotency-Key' };
        break;
      default:
        break;
    }
    let text = jsonText(body);
    let base64 = false;
    let raw: string | undefined = text;
    switch (encoding) {
      case 'base64':
        raw = Buffer.from(text).toString('base64');
        base64 = true;
        break;
      case 'invalid-utf8': {
        const bytes = Buffer.from(text);
        const at = pick % (bytes.length + 1);
        const bad = INVALID_UTF8[pick % INVALID_UTF8.length] as Buffer;
        raw = Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]).toString('base64');
        base64 = true;
        expected = { statuses: [400], problem: 'malformed-body' };
        break;
      }
      case 'raw-lone-surrogate': {
        // A JS string no UTF-8 encoder can keep: the surrogate becomes U+FFFD.
        const at = pick % (text.length + 1);
        raw = `${text.slice(0, at)}\ud800${text.slice(at)}`;
        expected = { statuses: [200, 400, 403] };
        break;
      }
      case 'truncated':
        raw = text.slice(0, pick % text.length);
        expected = { statuses: [400], problem: 'malformed-body' };
        break;
      case 'not-an-object':
        raw = [`[${text}]`, '42', 'null', '"text"', 'true', HUGE.deepJsonText][pick % 6];
        expected = { statuses: [400], problem: 'invalid-request', field: '(event)' };
        break;
      case 'empty':
        raw = pick % 2 === 0 ? undefined : '';
        expected = { statuses: [400], problem: 'malformed-body' };
        break;
      case 'not-base64':
        // JSON text flagged as base64: it decodes to bytes that are neither UTF-8 nor JSON.
        base64 = true;
        expected = { statuses: [400] };
        break;
      case 'oversized':
        text = jsonText(ownRecord([...Object.entries(body), ['padding', HUGE.oneMegabyte]]));
        base64 = pick % 2 === 0;
        raw = base64 ? Buffer.from(text).toString('base64') : text;
        expected = { statuses: [413], problem: 'content-too-large' };
        break;
      default:
        break;
    }
    const size = raw === undefined ? 0 : Buffer.byteLength(raw, base64 ? 'base64' : 'utf8');
    if (size > 1_048_576) expected = { statuses: [413], problem: 'content-too-large' };
    if (contentType === undefined || OTHER_TYPES.includes(contentType)) {
      expected = { statuses: [415], problem: 'unsupported-media-type' };
    }
    // Without the Idempotency-Key header a body that parses is refused naming the header.
    const bodyFailure = ['malformed-body', 'content-too-large', 'unsupported-media-type'];
    if (
      (placement === 'body' || placement === 'none') &&
      !bodyFailure.includes(expected.problem ?? '') &&
      expected.field !== '(event)' &&
      encoding !== 'not-base64'
    ) {
      expected = { statuses: [400], field: 'Idempotency-Key' };
    }
    if (contentType !== undefined) header('content-type', contentType);
    const event: APIGatewayProxyEventV2 = { ...POST, headers, isBase64Encoded: base64 };
    if (raw === undefined) delete event.body;
    else event.body = raw;
    const bad =
      sample.mutation !== 'valid' ||
      !['json', 'base64'].includes(encoding) ||
      !['header', 'both'].includes(placement) ||
      expected.statuses.length !== 1 ||
      expected.statuses[0] !== 200;
    return {
      kind: `POST ${placement} ${encoding} ${sample.mutation}`,
      event,
      expected,
      post: true,
      bad,
    };
  });

const BATCH_ID = '5d41402abc4b';

/** GET /fan-outs/{batchId}?pipelines=...: a path parameter and a query, both from the caller. */
const getSample = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<unknown>(BATCH_ID) },
      {
        weight: 2,
        arbitrary: fc.constantFrom<unknown>(
          undefined,
          '',
          '5D41402ABC4B',
          '5d41402abc4',
          '5d41402abc4bb',
          '../5d41402abc',
          '5d41402abc4b\n',
          HUGE.oneMegabyte,
        ),
      },
      { weight: 1, arbitrary: badValueRarelyHuge().filter((v) => typeof v === 'string') },
    ),
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .shuffledSubarray([...ALLOWED_PIPELINES, pipelineArnOf('child-pipeline-1')], {
            minLength: 1,
          })
          .map((names) => names.join(',')),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom<string | undefined>(
          undefined,
          '',
          ',,,',
          ' , ',
          'bad_name',
          'child-pipeline-1,bad name',
          'prod-train',
          'child-pipeline-1,prod-train',
          Array.from({ length: 11 }, () => 'child-pipeline-1').join(','),
          HUGE.oneMegabyte,
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    ),
  )
  .map(([batchId, pipelines]): HttpSample => {
    const event: APIGatewayProxyEventV2 = {
      ...GET,
      pathParameters: batchId === undefined ? undefined : { batchId: batchId as string },
      queryStringParameters: pipelines === undefined ? undefined : { pipelines },
    };
    const list = (pipelines ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const name = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
    const names = list.map((p) => (p.startsWith('arn:') ? p.slice(p.lastIndexOf('/') + 1) : p));
    let expected: HttpExpectation;
    if (typeof batchId !== 'string' || !/^[0-9a-f]{12}$/.test(batchId)) {
      expected = { statuses: [400], problem: 'invalid-request', field: 'batchId' };
    } else if (list.length === 0 || list.length > 10 || !names.every((n) => name.test(n))) {
      expected = { statuses: [400], problem: 'invalid-request', field: 'pipelines' };
    } else if (!names.every((n) => (ALLOWED_PIPELINES as readonly string[]).includes(n))) {
      expected = { statuses: [403], problem: 'pipeline-not-allowed' };
    } else {
      expected = { statuses: [200] };
    }
    return { kind: 'GET', event, expected, post: false, bad: expected.statuses[0] !== 200 };
  });

const otherRoute = fc
  .constantFrom<string | undefined>(
    'DELETE /fan-outs',
    'GET /',
    '$default',
    'POST /fan-outs/',
    'post /fan-outs',
    '__proto__',
    undefined,
  )
  .map(
    (routeKey): HttpSample => ({
      kind: 'other route',
      event: { ...POST, routeKey: routeKey as string },
      expected: { statuses: [404], problem: 'not-found' },
      post: false,
      bad: true,
    }),
  );

/** POST events whose envelope lacks what API Gateway normally sets. */
const bareEnvelope = fc
  .constantFrom<[string, Partial<APIGatewayProxyEventV2>]>(
    ['no headers', { headers: undefined as unknown as APIGatewayProxyEventV2['headers'] }],
    ['no body flag', { isBase64Encoded: undefined as unknown as boolean }],
    [
      'no request context',
      { requestContext: undefined as unknown as APIGatewayProxyEventV2['requestContext'] },
    ],
  )
  .map(([kind, change]): HttpSample => {
    const event = { ...POST, ...change };
    // Without headers there is no Content-Type; the others still carry the fixture's valid body.
    const expected: HttpExpectation =
      kind === 'no headers'
        ? { statuses: [415], problem: 'unsupported-media-type' }
        : { statuses: [200] };
    return { kind: `envelope ${kind}`, event, expected, post: true, bad: true };
  });

const httpSample = fc.oneof(
  { weight: 32, arbitrary: postSample },
  { weight: 6, arbitrary: getSample },
  { weight: 2, arbitrary: otherRoute },
  { weight: 1, arbitrary: bareEnvelope },
);

/** A synchronous Lambda response is at most 6 MB; past it the HTTP API answers a 5xx instead. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

const STACK_LINE = /\bat .*\.(ts|js|mjs|cjs):\d+|\n\s+at /;

/** Checks a response against its expectation; returns the parsed body. */
const checkResponse = (sample: HttpSample, response: HttpResponse): Record<string, unknown> => {
  const { statusCode } = response;
  const says = () => `${sample.kind}: ${statusCode} ${response.body.slice(0, 400)}`;
  check(statusCode < 500, () => `a 5xx: ${says()}`);
  check(
    sample.expected.statuses.includes(statusCode),
    () => `expected ${sample.expected.statuses}, got ${says()}`,
  );
  check(!STACK_LINE.test(response.body), () => `a stack in the body: ${says()}`);
  check(
    Buffer.byteLength(response.body) <= LAMBDA_RESPONSE_LIMIT,
    () => `a body Lambda cannot return: ${says()}`,
  );
  const body = JSON.parse(response.body) as Record<string, unknown>;
  if (statusCode < 400) {
    check(
      response.headers?.['content-type'] === 'application/json',
      () => `content type: ${says()}`,
    );
    return body;
  }
  check(
    response.headers?.['content-type'] === 'application/problem+json',
    () => `not problem+json: ${says()}`,
  );
  check(
    typeof body.type === 'string' &&
      typeof body.title === 'string' &&
      typeof body.detail === 'string' &&
      body.status === statusCode,
    () => `not an RFC 9457 problem: ${says()}`,
  );
  const { problem, field } = sample.expected;
  if (problem !== undefined)
    check(String(body.type).endsWith(`:${problem}`), () => `problem type: ${says()}`);
  if (String(body.type).endsWith(':invalid-request')) {
    const errors = body.errors as Array<{ field: unknown; problem: unknown }> | undefined;
    check(
      Array.isArray(errors) &&
        errors.length > 0 &&
        errors.every(
          (e) => typeof e.field === 'string' && e.field !== '' && typeof e.problem === 'string',
        ),
      () => `the problems are not listed: ${says()}`,
    );
    if (field !== undefined) {
      check(
        (errors ?? []).some((e) => fieldUnder(e.field as string, field)),
        () => `no problem names ${field}: ${says()}`,
      );
    }
  }
  return body;
};

describe('abuse: fan-out over HTTP (functions/fan-out-api)', () => {
  const { sagemaker, tally, timing } = abuseSuite('fan-out HTTP body and headers');

  it(`answers ${FAN_OUT_RUNS} generated requests, at least ${ABUSE_RUNS} of them bad, with a result or a 4xx problem+json listing the problems, never a 5xx, starting nothing when it rejects`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(httpSample, async (sample) => {
        sagemaker.reset();
        const response = (await handler(sample.event, lambdaContext())) as HttpResponse;
        const body = checkResponse(sample, response);
        expectPrototypesClean();
        tally.add(
          sample.kind.split(' ').slice(0, 3).join(' '),
          String(response.statusCode),
          sample.bad,
        );
        if (response.statusCode >= 400) {
          check(
            sagemaker.callCount() === 0,
            () => `${sample.kind}: called SageMaker, then answered ${response.statusCode}`,
          );
          return;
        }
        if (!sample.post) {
          check(sagemaker.startCalls().length === 0, () => 'GET started executions');
          return;
        }
        // The request as it was run: its key is the one the response returns.
        const key = String(response.headers?.['idempotency-key']);
        const sent = readJsonBody(sample.event) as Record<string, unknown>;
        const request = parseEvent(fanOutRequestSchema, { ...sent, batchKey: key });
        expectCallsMatchPlan(request, sagemaker.startCalls());
        const requested = request.pipelines.length * request.items.length;
        const dryRun = request.dryRun === true;
        const want = { requested, started: dryRun ? 0 : requested, deferred: 0, failed: [] };
        const got = {
          requested: body.requested,
          started: body.started,
          deferred: body.deferred,
          failed: body.failed,
        };
        if (!isDeepStrictEqual(got, want)) expect(got).toEqual(want);
        if (dryRun)
          check((body.plan as unknown[]).length === requested, () => 'dry-run plan length');
      }),
      { numRuns: FAN_OUT_RUNS, timeout: 10_000 },
    );
    timing.ms = performance.now() - started;
    expect(tally.total).toBe(FAN_OUT_RUNS);
    expect(tally.bad).toBeGreaterThanOrEqual(ABUSE_RUNS);
    for (const status of ['200', '400', '403', '404', '413', '415']) {
      expect(tally.outcomes.get(status) ?? 0, `inputs answered ${status}`).toBeGreaterThan(20);
    }
  }, 240_000);

  // Was a defect: batchKeyOf (shared/fan-out/post.ts) replaced a body batchKey that is not a
  // string with a random key, so a client sending `"batchKey": 42` got 200 and a new batch,
  // started again in full, on every re-send.
  it('rejects a body batchKey that is not a string instead of starting a new batch on every re-send', async () => {
    for (const batchKey of [42, true, [], {}, ['k']]) {
      sagemaker.reset();
      const event: APIGatewayProxyEventV2 = {
        ...POST,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pipelines: ['child-pipeline-1'], items: ['a'], batchKey }),
      };
      const response = (await handler(event, lambdaContext())) as HttpResponse;
      expect(response.statusCode).toBe(400);
      const { errors } = JSON.parse(response.body) as { errors: Array<{ field: string }> };
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.field)).toEqual(['Idempotency-Key', 'batchKey']);
      expect(sagemaker.callCount()).toBe(0);
    }
  });

  // Was a defect: a 400 listed every problem, so a 1 MB body of 87,000 bad parameter names
  // answered 9.6 MB of problem+json, past Lambda's 6 MB response limit (the HTTP API then
  // answers 5xx). problemResponse (shared/http/problem-details.ts) now keeps the first problems.
  it("keeps a 400 that lists the problems of a 1 MB body within Lambda's 6 MB response", async () => {
    sagemaker.reset();
    const entries: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const entry = `"!${i.toString(36)}":"x"`;
      entries.push(entry);
      size += entry.length + 1;
    }
    const event: APIGatewayProxyEventV2 = {
      ...POST,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'large-400' },
      body: `{"pipelines":["child-pipeline-1"],"items":[1],"parameters":{${entries.join(',')}}}`,
    };
    const response = (await handler(event, lambdaContext())) as HttpResponse;
    expect(response.statusCode).toBe(400);
    const problem = JSON.parse(response.body) as { errors: unknown[]; errorsOmitted: number };
    expect(problem.errors.length).toBeGreaterThan(0);
    expect(problem.errors.length + problem.errorsOmitted).toBe(entries.length + 1);
    expect(Buffer.byteLength(response.body)).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT);
    expect(sagemaker.callCount()).toBe(0);
  });

  // Each plan entry carries every rendered parameter: the dry run keeps a byte budget
  // (MAX_DRY_RUN_PLAN_BYTES, shared/fan-out/dry-run.ts) and counts the rest in planOmitted.
  const dryRunWithLargeParameters = async (pipelines: string[], itemCount: number) => {
    sagemaker.reset();
    const parameters = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`P${i}`, `${'x'.repeat(1000)}{{index}}`]),
    );
    const event: APIGatewayProxyEventV2 = {
      ...POST,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'large-dry-run' },
      body: JSON.stringify({
        pipelines,
        items: Array.from({ length: itemCount }, (_, i) => i),
        parameters,
        dryRun: true,
      }),
    };
    const response = (await handler(event, lambdaContext())) as HttpResponse;
    expect(response.statusCode).toBe(200);
    expect(Buffer.byteLength(response.body)).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT);
    expect(sagemaker.callCount()).toBe(0);
    return JSON.parse(response.body) as { plan: unknown[]; planOmitted?: number };
  };

  it("answers a dry run with 200 parameters of 1,000 characters within Lambda's 6 MB response", async () => {
    const body = await dryRunWithLargeParameters(['child-pipeline-1'], 40);
    expect(body.plan.length).toBeGreaterThan(0);
    expect(body.plan.length + (body.planOmitted ?? 0)).toBe(40);
  });

  it('answers a dry run of 2 pipelines × 40 items with 200 parameters of 1,000 characters, counting what it leaves out', async () => {
    const body = await dryRunWithLargeParameters(['child-pipeline-1', 'child-pipeline-2'], 40);
    expect(body.plan.length + (body.planOmitted ?? 0)).toBe(80);
    expect(body.planOmitted).toBeGreaterThan(0);
  });

  // Issue 14: 1,000 items × 200 placeholders is over the planning budget (shared/fan-out/budget.ts).
  it('refuses 1,000 items with 200 parameters up front, naming the budget', async () => {
    sagemaker.reset();
    const parameters = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`P${i}`, `${'x'.repeat(1000)}{{index}}`]),
    );
    const event: APIGatewayProxyEventV2 = {
      ...POST,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'over-budget' },
      body: JSON.stringify({
        pipelines: ['child-pipeline-1'],
        items: Array.from({ length: 1000 }, (_, i) => i),
        parameters,
        dryRun: true,
      }),
    };
    const response = (await handler(event, lambdaContext())) as HttpResponse;
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/1000 items × 200 placeholders = 200000 substitutions/);
    expect(sagemaker.callCount()).toBe(0);
  });
});
