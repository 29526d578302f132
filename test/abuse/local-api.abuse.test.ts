import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/index';
import { SUPPORTED_OPERATIONS } from '../../local/operations';
import { badValueRarelyHuge, eventAroundRarelyHuge, jsonText } from '../support/abuse/arbitraries';
import { expectPrototypesClean } from '../support/abuse/fan-out-harness';
import { type RawAnswer, rawRequest } from '../support/local/raw-http';
import { definition, fakeInvoker, lambdaStep } from '../support/local/runtime';

type Answer = RawAnswer;

interface Sent {
  method?: string;
  path?: string;
  target?: string;
  contentType?: string;
  body?: string | Buffer;
}

/** Error types the runtime may answer a client's mistake with (no fault knobs are set). */
const CLIENT_ERRORS = [
  'ValidationException',
  'SerializationException',
  'UnknownOperationException',
  'ResourceNotFound',
  'ConflictException',
  'ResourceLimitExceeded',
];

const ROLE = 'arn:aws:iam::123456789012:role/abuse';
const TOKEN = 'abuse-token-'.padEnd(32, '0');

/** A definition of `count` Fail steps, each depending on `dependency(i)` when it gives a name. */
const manySteps = (count: number, dependency: (i: number) => string | undefined) =>
  JSON.stringify({
    Version: '2020-12-01',
    Parameters: [],
    Steps: Array.from({ length: count }, (_, i) => {
      const on = dependency(i);
      return {
        Name: `s${i}`,
        Type: 'Fail',
        Arguments: { ErrorMessage: `step ${i}` },
        ...(on === undefined ? {} : { DependsOn: [on] }),
      };
    }),
  });

/** Condition steps nested `depth` deep through IfSteps, each name unique. */
const nestedConditions = (depth: number) => {
  let steps = '[{"Name":"leaf","Type":"Fail","Arguments":{"ErrorMessage":"x"}}]';
  for (let i = 0; i < depth; i++) {
    steps = `[{"Name":"c${i}","Type":"Condition","Arguments":{"Conditions":[],"ElseSteps":[],"IfSteps":${steps}}}]`;
  }
  return `{"Version":"2020-12-01","Parameters":[],"Steps":${steps}}`;
};

describe('abuse: local runtime API (local/api/server.ts)', () => {
  let local: LocalRuntime;
  /** Lines the runtime logged; the abort test checks that a vanished client is not an internal error. */
  const logged: string[] = [];
  const statuses = new Map<string, number>();
  let tried = 0;
  let ms = 0;

  beforeAll(async () => {
    local = await startLocalRuntime({
      invoker: fakeInvoker({ echo: (payload) => ({ out: JSON.stringify(payload).slice(0, 100) }) }),
      log: (line) => logged.push(line),
    });
  });
  afterAll(async () => {
    await local.close();
    const counts = [...statuses].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `abuse local runtime API: ${tried} generated requests tried in ${(ms / 1000).toFixed(1)} s (${counts})`,
    );
  });

  /** One HTTP request, bounded in time: a hang fails the test instead of stalling it. */
  const send = (sent: Sent): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (sent.contentType !== undefined) headers['content-type'] = sent.contentType;
    if (sent.target !== undefined) headers['x-amz-target'] = sent.target;
    // Framed by length whatever the method: Node sends a GET body unframed otherwise.
    headers['content-length'] = String(sent.body === undefined ? 0 : Buffer.byteLength(sent.body));
    return rawRequest({
      port: local.port,
      path: sent.path ?? '/',
      method: sent.method ?? 'POST',
      headers,
      body: sent.body,
    });
  };

  const api = (target: string, body: string | Buffer) =>
    send({ target: `SageMaker.${target}`, contentType: 'application/x-amz-json-1.1', body });

  /** A JSON error as SageMaker sends it: status, `__type`, `message`, and the error-type header. */
  const expectJsonError = (answer: Answer, type: string, status = 400) => {
    expect(answer.status, answer.text.slice(0, 300)).toBe(status);
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
    const body = JSON.parse(answer.text) as { __type: unknown; message: unknown };
    expect(body.__type).toBe(type);
    expect(typeof body.message).toBe('string');
    expect(answer.headers['x-amzn-errortype']).toBe(type);
    return body as { __type: string; message: string };
  };

  /** The server still answers a valid call. */
  const expectServing = async () => {
    const answer = await api('ListPipelines', '{}');
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(JSON.parse(answer.text)).toHaveProperty('PipelineSummaries');
  };

  const createPipeline = (name: string, definitionText: string) =>
    api(
      'CreatePipeline',
      JSON.stringify({
        PipelineName: name,
        PipelineDefinition: definitionText,
        RoleArn: ROLE,
        ClientRequestToken: `${TOKEN}${name}`.slice(0, 128),
      }),
    );

  it('answers malformed JSON bodies with SerializationException 400 and keeps serving', async () => {
    for (const body of [
      '{"oops"',
      '{',
      '}',
      '{"PipelineName": }',
      "{'a': 1}",
      'nul',
      '{"a":1,}',
      '\u0000',
    ]) {
      expectJsonError(await api('ListPipelines', body), 'SerializationException');
    }
    for (const body of ['null', '[]', '42', '"text"', 'true']) {
      expectJsonError(await api('ListPipelines', body), 'SerializationException');
    }
    await expectServing();
  });

  it('answers unknown, missing and malformed X-Amz-Target headers with UnknownOperationException 400', async () => {
    const targets = [
      'SageMaker.CreateTrainingJob',
      'SageMaker.',
      'SageMaker.__proto__',
      'SageMaker.constructor',
      'SageMaker.toString',
      'SageMaker.hasOwnProperty',
      'sagemaker.ListPipelines',
      'SageMaker.listPipelines',
      'Other.ListPipelines',
      'ListPipelines',
      `SageMaker.${'A'.repeat(10_000)}`,
      '',
    ];
    for (const target of [...targets, undefined]) {
      const answer = await send({ target, contentType: 'application/x-amz-json-1.1', body: '{}' });
      expectJsonError(answer, 'UnknownOperationException');
    }
    await expectServing();
  });

  it('answers other methods and paths with a JSON error, and unknown local paths with 404', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await send({ method, target: 'SageMaker.ListPipelines', body: '{}' });
      expectJsonError(answer, 'UnknownOperationException');
    }
    for (const path of ['/x', '//', '/%2e%2e/', '/ListPipelines', `/${'a'.repeat(4000)}`]) {
      const answer = await send({ path, target: 'SageMaker.ListPipelines', body: '{}' });
      expectJsonError(answer, 'UnknownOperationException');
    }
    for (const path of ['/_local/', '/_local/nope', '/_local/knobs/x']) {
      expectJsonError(await send({ method: 'GET', path }), 'UnknownOperationException', 404);
    }
    await expectServing();
  });

  it('answers a body over its 4 MB limit with 413 ValidationException, and keeps serving', async () => {
    const big = `{"PipelineNamePrefix":"${'a'.repeat(5 * 1024 * 1024)}"}`;
    expectJsonError(await api('ListPipelines', big), 'ValidationException', 413);
    expectJsonError(await api('CreatePipeline', big), 'ValidationException', 413);
    // Under the body limit but over PipelineDefinition's 1 MiB: a constraint error.
    const overDefinition = await createPipeline(
      'too-big',
      `{"Steps":[],"x":"${'b'.repeat(1_100_000)}"}`,
    );
    expect(expectJsonError(overDefinition, 'ValidationException').message).toMatch(
      /pipelineDefinition/,
    );
    await expectServing();
  });

  it('rejects definitions whose steps form a cycle with a ValidationException naming it', async () => {
    const selfLoop = manySteps(1, () => 's0');
    expect(
      expectJsonError(await createPipeline('self-loop', selfLoop), 'ValidationException').message,
    ).toMatch(/cycle: s0 -> s0/);
    const pair = manySteps(2, (i) => `s${1 - i}`);
    expect(
      expectJsonError(await createPipeline('pair-loop', pair), 'ValidationException').message,
    ).toMatch(/cycle/);
    const started = performance.now();
    const ring = manySteps(10_000, (i) => `s${(i + 1) % 10_000}`);
    expect(
      expectJsonError(await createPipeline('ring', ring), 'ValidationException').message,
    ).toMatch(/cycle/);
    // A cycle through a data reference, not DependsOn.
    const dataLoop = definition([
      lambdaStep('a', 'echo', { x: { Get: "Steps.b.OutputParameters['out']" } }, { out: 'String' }),
      lambdaStep('b', 'echo', { x: { Get: "Steps.a.OutputParameters['out']" } }, { out: 'String' }),
    ]);
    expect(
      expectJsonError(await createPipeline('data-loop', dataLoop), 'ValidationException').message,
    ).toMatch(/cycle/);
    expect(performance.now() - started).toBeLessThan(10_000);
    await expectServing();
  });

  it('takes and runs definitions of 10,000 steps in a chain or side by side, and answers 10,000 nested conditions with a JSON error', async () => {
    const started = performance.now();
    for (const [name, text] of [
      ['chain-10000', manySteps(10_000, (i) => (i === 0 ? undefined : `s${i - 1}`))],
      ['flat-10000', manySteps(10_000, () => undefined)],
    ] as const) {
      const answer = await createPipeline(name, text);
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      const run = await api(
        'StartPipelineExecution',
        JSON.stringify({ PipelineName: name, ClientRequestToken: `${TOKEN}-${name}` }),
      );
      expect(run.status, run.text.slice(0, 300)).toBe(200);
      const arn = (JSON.parse(run.text) as { PipelineExecutionArn: string }).PipelineExecutionArn;
      // Every step is a Fail step: the execution fails, whether one runs or 10,000 do.
      expect(await local.runtime.waitForExecution(arn)).toBe('Failed');
      const page = await api(
        'ListPipelineExecutionSteps',
        JSON.stringify({ PipelineExecutionArn: arn, MaxResults: 100 }),
      );
      expect(page.status).toBe(200);
      expect(
        (JSON.parse(page.text) as { PipelineExecutionSteps: unknown[] }).PipelineExecutionSteps
          .length,
      ).toBeGreaterThan(0);
    }
    const nested = await createPipeline('nested-10000', nestedConditions(10_000));
    expect(nested.status).toBeLessThan(500);
    if (nested.status !== 200) expectJsonError(nested, 'ValidationException');
    expect(performance.now() - started).toBeLessThan(20_000);
    await expectServing();
  });

  it('treats __proto__ and constructor as names in definitions and requests, polluting nothing', async () => {
    const named = (name: string, text: string) => createPipeline(name, text);
    const runs = [
      ['proto-step', definition([lambdaStep('__proto__', 'echo', {}, { out: 'String' })])],
      [
        'proto-parameter',
        definition(
          [lambdaStep('a', 'echo', { x: { Get: 'Parameters.__proto__' } }, { out: 'String' })],
          [{ Name: '__proto__', Type: 'String', DefaultValue: 'v' }],
        ),
      ],
      [
        'constructor-step',
        definition([
          lambdaStep('constructor', 'echo', {}, { out: 'String' }),
          lambdaStep(
            'b',
            'echo',
            { x: { Get: "Steps.constructor.OutputParameters['out']" } },
            { out: 'String' },
          ),
        ]),
      ],
    ] as const;
    for (const [name, text] of runs) {
      expect((await named(name, text)).status).toBe(200);
      const started = await api(
        'StartPipelineExecution',
        JSON.stringify({ PipelineName: name, ClientRequestToken: `${TOKEN}-${name}` }),
      );
      expect(started.status, started.text).toBe(200);
      const arn = (JSON.parse(started.text) as { PipelineExecutionArn: string })
        .PipelineExecutionArn;
      expect(await local.runtime.waitForExecution(arn)).toBe('Succeeded');
    }
    // Names an object's prototype answers to are not steps or parameters.
    for (const [name, text] of [
      [
        'to-string-ref',
        definition([
          lambdaStep('a', 'echo', { x: { Get: "Steps.toString.OutputParameters['out']" } }),
        ]),
      ],
      [
        'constructor-ref',
        definition([lambdaStep('a', 'echo', { x: { Get: 'Parameters.constructor' } })]),
      ],
      [
        'proto-depends',
        definition([lambdaStep('a', 'echo', {}, {}, { DependsOn: ['__proto__'] })]),
      ],
    ] as const) {
      expectJsonError(await named(name, text), 'ValidationException');
    }
    for (const [target, body] of [
      ['DescribePipeline', { PipelineName: 'constructor' }],
      ['ListPipelineExecutions', { PipelineName: 'proto-step', NextToken: '__proto__' }],
      ['SendPipelineExecutionStepSuccess', { CallbackToken: 'constructor', OutputParameters: [] }],
    ] as const) {
      const answer = await api(target, JSON.stringify(body));
      expect(answer.status).toBe(400);
      expect(CLIENT_ERRORS).toContain((JSON.parse(answer.text) as { __type: string }).__type);
    }
    expectPrototypesClean();
    await expectServing();
  });

  it('keeps serving after clients abort mid-body or break HTTP framing', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(local.port, '127.0.0.1', () => {
          socket.write(text);
          setTimeout(() => socket.destroy(), 50);
        });
        let answer = '';
        socket.on('data', (chunk: Buffer) => {
          answer += chunk.toString('latin1');
        });
        socket.on('close', () => resolve(answer));
        socket.on('error', () => undefined);
      });
    const head = 'POST / HTTP/1.1\r\nHost: local\r\nX-Amz-Target: SageMaker.ListPipelines\r\n';
    // Promised 1,000 bytes, sent 5, then gone: nobody to answer, and no internal error either.
    logged.length = 0;
    expect(await raw(`${head}Content-Length: 1000\r\n\r\n{"a":`)).toBe('');
    await expectServing();
    expect(logged.filter((line) => line.includes('internal error'))).toEqual([]);
    expect(await raw(`${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await expectServing();
  });

  it('answers 500 concurrent bad requests, each with a JSON error, and keeps serving', async () => {
    const bodies = ['{', 'null', '{"PipelineName":"_"}', '{"MaxResults":"x"}', ''];
    const targets = ['SageMaker.DescribePipeline', 'SageMaker.Nope', undefined];
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        send({
          target: targets[i % targets.length],
          contentType: 'application/x-amz-json-1.1',
          body: bodies[i % bodies.length],
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      const { __type } = JSON.parse(answer.text) as { __type: string };
      expect(CLIENT_ERRORS).toContain(__type);
    }
    await expectServing();
  });

  // Was a defect: show() in local/api/validate.ts overflowed the stack on such a value while
  // wording the SerializationException, and the server answered 500 InternalFailure.
  it('answers a deeply nested JSON body with a 400 JSON error, not a 500', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectJsonError(await api('ListPipelines', deep), 'SerializationException');
    expectJsonError(
      await api('ListPipelines', `{"PipelineNamePrefix":${deep}}`),
      'SerializationException',
    );
    expectJsonError(
      await api('StartPipelineExecution', `{"PipelineName":"p","PipelineParameters":${deep}}`),
      'SerializationException',
    );
    expectJsonError(
      await api(
        'StartPipelineExecution',
        `{"PipelineName":"p","PipelineParameters":[{"Name":${deep},"Value":"v"}]}`,
      ),
      'SerializationException',
    );
    // A member the operation does not have is ignored, however deep.
    const ignored = await api('ListPipelines', `{"Unknown":${deep}}`);
    expect(ignored.status, ignored.text.slice(0, 300)).toBe(200);
    await expectServing();
  });

  // Was a defect: readBody (local/api/server.ts) decoded bodies leniently, so invalid bytes
  // became U+FFFD and, here, a pipeline was created whose description the client never sent.
  it('answers a body that is not valid UTF-8 with SerializationException 400', async () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const body = Buffer.concat([
        Buffer.from('{"PipelineName":"utf8-'),
        Buffer.from(String(bad[0])),
        Buffer.from('","PipelineDescription":"a'),
        Buffer.from(bad),
        Buffer.from(
          `","PipelineDefinition":${JSON.stringify(manySteps(1, () => undefined))},"RoleArn":"${ROLE}","ClientRequestToken":"${TOKEN}"}`,
        ),
      ]);
      expectJsonError(await api('CreatePipeline', body), 'SerializationException');
      const described = await api(
        'DescribePipeline',
        JSON.stringify({ PipelineName: `utf8-${bad[0]}` }),
      );
      expectJsonError(described, 'ResourceNotFound');
    }
    const knobs = await send({
      method: 'POST',
      path: '/_local/knobs',
      body: Buffer.from([0x7b, 0xff, 0x7d]),
    });
    expectJsonError(knobs, 'SerializationException');
    await expectServing();
  });

  it('answers invalid UTF-8 outside strings with SerializationException, and keeps serving', async () => {
    expectJsonError(
      await api('ListPipelines', Buffer.from([0x7b, 0xff, 0x7d])),
      'SerializationException',
    );
    expectJsonError(
      await api('ListPipelines', Buffer.from([0xfe, 0xff])),
      'SerializationException',
    );
    await expectServing();
  });

  /** Values of a generated request's members: mostly small, rarely 1 MB, 10,000 deep or 10,001 long. */
  const LOCAL_BAD_VALUE = badValueRarelyHuge();
  const goodDefinition = definition(
    [lambdaStep('only', 'echo', { p: { Get: 'Parameters.P' } }, { out: 'String' })],
    [{ Name: 'P', Type: 'String', DefaultValue: 'd' }],
  );
  const members = eventAroundRarelyHuge(
    {
      PipelineName: fc.constantFrom(
        'gen-a',
        'gen-b',
        'arn:aws:sagemaker:us-east-1:123456789012:pipeline/gen-a',
      ),
      PipelineDefinition: fc.constantFrom(
        goodDefinition,
        manySteps(3, (i) => (i ? `s${i - 1}` : undefined)),
      ),
      PipelineDescription: fc.string({ maxLength: 20 }),
      RoleArn: fc.constant(ROLE),
      ClientRequestToken: fc.constantFrom(TOKEN, `${TOKEN}-2`),
      PipelineExecutionArn: fc.constant(
        'arn:aws:sagemaker:us-east-1:123456789012:pipeline/gen-a/execution/x',
      ),
      PipelineParameters: fc.constant([{ Name: 'P', Value: 'v' }]),
      MaxResults: fc.integer({ min: 1, max: 100 }),
      NextToken: fc.string({ maxLength: 10 }),
      SortOrder: fc.constantFrom('Ascending', 'Descending'),
      CreatedAfter: fc.constantFrom(0, 1_795_849_200, '2026-11-29T00:00:00Z'),
      CallbackToken: fc.string({ minLength: 10, maxLength: 10 }),
      FailureReason: fc.string({ maxLength: 20 }),
      PipelineNamePrefix: fc.constantFrom('gen', 'g'),
      PipelineVersionId: fc.integer({ min: 0, max: 3 }),
    },
    LOCAL_BAD_VALUE,
  );

  /** Well-formed calls, so that generated traffic also creates, starts and lists for real. */
  const WELL_FORMED: Array<[string, unknown]> = [
    ['ListPipelines', {}],
    ['ListPipelines', { MaxResults: 5, SortOrder: 'Descending', PipelineNamePrefix: 'gen' }],
    [
      'CreatePipeline',
      {
        PipelineName: 'gen-a',
        PipelineDefinition: goodDefinition,
        RoleArn: ROLE,
        ClientRequestToken: TOKEN,
      },
    ],
    ['DescribePipeline', { PipelineName: 'gen-a' }],
    ['StartPipelineExecution', { PipelineName: 'gen-a', ClientRequestToken: TOKEN }],
    [
      'StartPipelineExecution',
      {
        PipelineName: 'gen-a',
        PipelineParameters: [{ Name: 'P', Value: 'v' }],
        ClientRequestToken: `${TOKEN}-2`,
      },
    ],
    ['ListPipelineExecutions', { PipelineName: 'gen-a', MaxResults: 10 }],
    ['UpdatePipeline', { PipelineName: 'gen-a', PipelineDefinition: goodDefinition }],
    ['ListPipelineVersions', { PipelineName: 'gen-a', MaxResults: 2 }],
  ];

  const target = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom(...SUPPORTED_OPERATIONS).map((op) => `SageMaker.${op}`),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | undefined>(
        undefined,
        '',
        'SageMaker.CreateTrainingJob',
        'SageMaker.__proto__',
        'SageMaker.constructor',
        'AmazonSageMaker.ListPipelines',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom(...'SageMaker.ListPipelines_-/*'),
        maxLength: 30,
      }),
    },
  );

  const body = fc.oneof(
    { weight: 12, arbitrary: members.map((value) => jsonText(value)) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        members.map((value) => jsonText(value).slice(0, -1)),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(members, fc.nat(), fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80]))
        .map(([value, at, bad]) => {
          const bytes = Buffer.from(jsonText(value));
          const cut = at % (bytes.length + 1);
          return Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
        }),
    },
  );

  /** A request a client might send: mostly a target and body drawn apart, some well-formed calls. */
  const generated = fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: fc.tuple(target, body) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...WELL_FORMED)
            .map(([op, value]): [string, string] => [`SageMaker.${op}`, JSON.stringify(value)]),
        },
      ),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant('POST') },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') },
      ),
      fc.oneof(
        { weight: 20, arbitrary: fc.constantFrom('/', '/?x=1') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '/x',
            '/_local/health',
            '/_local/callbacks',
            '/_local/nope',
            '//',
          ),
        },
      ),
      fc.constantFrom<string | undefined>(
        'application/x-amz-json-1.1',
        'application/json',
        undefined,
        'text/plain',
      ),
    )
    .map(
      ([[target, body], method, path, contentType]): Sent => ({
        target,
        method,
        path,
        body,
        contentType,
      }),
    );

  /** The statuses and error types a generated request may get. */
  const allowed = (sent: Sent): { statuses: number[]; types: string[] } => {
    const path = (sent.path ?? '/').split('?')[0];
    if (path === '/_local/health' || path === '/_local/callbacks')
      return { statuses: [200], types: [] };
    if (path?.startsWith('/_local/'))
      return { statuses: [404], types: ['UnknownOperationException'] };
    const target = sent.target ?? '';
    const operation = target.startsWith('SageMaker.')
      ? target.slice('SageMaker.'.length)
      : undefined;
    if (
      sent.method !== 'POST' ||
      path !== '/' ||
      operation === undefined ||
      !(SUPPORTED_OPERATIONS as readonly string[]).includes(operation)
    ) {
      return { statuses: [400], types: ['UnknownOperationException'] };
    }
    // The generator sends a Buffer only with an invalid UTF-8 sequence in it.
    if (Buffer.isBuffer(sent.body)) return { statuses: [400], types: ['SerializationException'] };
    return { statuses: [200, 400], types: CLIENT_ERRORS };
  };

  it('answers a few thousand generated requests with JSON (a result or a client error), never a 5xx, and keeps serving', async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(generated, async (sent) => {
        tried++;
        const answer = await send(sent);
        const rule = allowed(sent);
        const says = () =>
          `${sent.method} ${sent.path} ${sent.target}: ${answer.status} ${answer.text.slice(0, 300)}`;
        statuses.set(String(answer.status), (statuses.get(String(answer.status)) ?? 0) + 1);
        if (!rule.statuses.includes(answer.status)) throw new Error(`unexpected status: ${says()}`);
        let body: unknown;
        try {
          body = JSON.parse(answer.text);
        } catch {
          throw new Error(`not JSON: ${says()}`);
        }
        if (body === null || typeof body !== 'object')
          throw new Error(`not a JSON object: ${says()}`);
        if (answer.status >= 400) {
          const { __type, message } = body as { __type?: unknown; message?: unknown };
          if (
            typeof __type !== 'string' ||
            !rule.types.includes(__type) ||
            typeof message !== 'string'
          ) {
            throw new Error(`not a SageMaker error: ${says()}`);
          }
          if (answer.headers['x-amzn-errortype'] !== __type)
            throw new Error(`error-type header: ${says()}`);
        }
        expectPrototypesClean();
      }),
      { numRuns: 3_000, timeout: 15_000 },
    );
    ms = performance.now() - started;
    expect(tried).toBe(3_000);
    expect(statuses.get('200') ?? 0).toBeGreaterThan(100);
    expect(statuses.get('400') ?? 0).toBeGreaterThan(100);
    await expectServing();
  }, 120_000);
});
