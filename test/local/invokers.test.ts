import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  functionNameFromArn,
  loadFunctionCatalog,
  SERVERLESS_DEFAULT_TIMEOUT_S,
} from '../../local/invokers/catalog';
import { type CreateHandler, createInProcessInvoker } from '../../local/invokers/in-process';
import { createLambdaClientInvoker } from '../../local/invokers/lambda-client';
import type { InvokeRequest } from '../../local/invokers/types';
import { configFromEnvironment } from '../../shared/config';
import { arn } from '../support/local/runtime';

const request = (functionArn: string, payload: unknown, timeoutMs = 5_000): InvokeRequest => ({
  functionArn,
  payload,
  timeoutMs,
  signal: new AbortController().signal,
});

describe('function catalog', () => {
  const catalog = loadFunctionCatalog();

  it('lists the functions/ folders as function keys', () => {
    expect(catalog.service).toBe('sagemaker-pipeline-lambdas');
    expect(catalog.keys).toEqual(
      expect.arrayContaining(['concat', 'inspect-items', 'plan-batches']),
    );
  });

  it('resolves a FunctionArn by key, by deployed name (any stage) and with a qualifier', () => {
    expect(functionNameFromArn('arn:aws:lambda:us-east-1:123456789012:function:name:live')).toBe(
      'name',
    );
    expect(catalog.resolve(arn('concat'))).toBe('concat');
    expect(catalog.resolve(arn('sagemaker-pipeline-lambdas-dev-inspect-items'))).toBe(
      'inspect-items',
    );
    expect(catalog.resolve(arn('sagemaker-pipeline-lambdas-prod-plan-batches:3'))).toBe(
      'plan-batches',
    );
    expect(catalog.resolve('concat')).toBe('concat');
    expect(catalog.resolve(arn('sagemaker-pipeline-lambdas-dev-nothing'))).toBeUndefined();
    expect(catalog.resolve(arn('other-service-dev-concat'))).toBeUndefined();
    expect(catalog.deployedName('concat')).toBe('sagemaker-pipeline-lambdas-dev-concat');
  });
});

describe('function timeouts from serverless.yml', () => {
  it("reads each function's timeout, falling back to the provider's", () => {
    const catalog = loadFunctionCatalog();
    expect(catalog.timeoutMs('fan-out')).toBe(600_000);
    expect(catalog.timeoutMs('fan-out-api')).toBe(29_000);
    expect(catalog.timeoutMs('concat')).toBe(30_000);
  });

  it("uses the framework's default when serverless.yml sets no timeout", () => {
    const root = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      writeFileSync(join(root, 'serverless.yml'), 'service: demo\nfunctions:\n  plain:\n');
      expect(loadFunctionCatalog({ root }).timeoutMs('plain')).toBe(
        SERVERLESS_DEFAULT_TIMEOUT_S * 1000,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('in-process invoker with a function timeout shorter than the step', () => {
  let root = '';
  const handlers = {
    // Reports the remaining time the function sees.
    remaining:
      'export const createHandler = () => async (_e: unknown, c: { getRemainingTimeInMillis(): number }) => ({ remaining: c.getRemainingTimeInMillis() });\n',
    // Answers only after 5 s, past its 1-second timeout.
    slow: 'export const createHandler = () => () => new Promise((r) => setTimeout(() => r({ late: true }), 5_000).unref());\n',
    // Fails only after its timeout has stopped it.
    'late-failure':
      "export const createHandler = () => () => new Promise((_r, reject) => setTimeout(() => reject(new Error('late')), 1_200));\n",
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'timeouts-'));
    const functions = Object.keys(handlers)
      .map((key) => `  ${key}:\n    handler: functions/${key}/handler.handler\n    timeout: 1\n`)
      .join('');
    writeFileSync(
      join(root, 'serverless.yml'),
      `service: demo\nprovider:\n  name: aws\n  timeout: 30\nfunctions:\n${functions}`,
    );
    for (const [key, source] of Object.entries(handlers)) {
      mkdirSync(join(root, 'functions', key), { recursive: true });
      writeFileSync(join(root, 'functions', key, 'handler.ts'), source);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("gives the handler its own timeout as remaining time, not the step's", async () => {
    const invoker = createInProcessInvoker({ catalog: loadFunctionCatalog({ root }) });
    const result = await invoker.invoke(request(arn('remaining'), {}, 600_000));
    const remaining = (result as { payload: { remaining: number } }).payload.remaining;
    expect(remaining).toBeGreaterThan(500);
    expect(remaining).toBeLessThanOrEqual(1_000);
  });

  it("fails a handler that outlives its timeout with Lambda's message", async () => {
    const invoker = createInProcessInvoker({ catalog: loadFunctionCatalog({ root }) });
    const result = await invoker.invoke(request(arn('slow'), {}, 600_000));
    expect(result).toEqual({ ok: false, error: 'Task timed out after 1.00 seconds' });
  });

  it('ignores a failure that comes after the timeout instead of rejecting unhandled', async () => {
    const invoker = createInProcessInvoker({ catalog: loadFunctionCatalog({ root }) });
    const result = await invoker.invoke(request(arn('late-failure'), {}, 600_000));
    expect(result).toEqual({ ok: false, error: 'Task timed out after 1.00 seconds' });
    // Let the late rejection happen while the test still runs.
    await new Promise((resolve) => setTimeout(resolve, 400));
  });
});

describe('function environment from serverless.yml', () => {
  it("gives each function the provider's environment and its own, params at their defaults", () => {
    const catalog = loadFunctionCatalog({ stage: 'qa' });
    expect(catalog.environment('concat')).toEqual({
      POWERTOOLS_SERVICE_NAME: 'sagemaker-pipeline-lambdas',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(catalog.environment('fan-out')).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'sagemaker-pipeline-lambdas',
      FAN_OUT_ALLOWED_PIPELINES: 'child-pipeline-1,child-pipeline-2',
      POWERTOOLS_METRICS_NAMESPACE: 'SageMakerPipelineLambdas',
    });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless.yml variable syntax
  it('resolves ${self:service}, ${sls:stage} and ${param:...}, and leaves out what it cannot resolve', () => {
    const yaml = `service: demo
params:
  default:
    level: DEBUG # a comment
    empty: ""
provider:
  name: aws
  environment:
    SERVICE: \${self:service}
    WHERE: '\${self:service}-\${sls:stage}'
    LEVEL: \${param:level}
  timeout: 30
functions:
  one:
    handler: functions/one/handler.handler
    environment:
      EMPTY: \${param:empty}
      FROM_SSM: \${ssm:/demo/secret}
      LEVEL: WARN
    timeout: 5
  two:
    handler: functions/two/handler.handler
`;
    const root = mkdtempSync(join(tmpdir(), 'environment-'));
    try {
      writeFileSync(join(root, 'serverless.yml'), yaml);
      const catalog = loadFunctionCatalog({ root, stage: 'qa' });
      expect(catalog.environment('one')).toEqual({
        SERVICE: 'demo',
        WHERE: 'demo-qa',
        LEVEL: 'WARN',
        EMPTY: '',
      });
      expect(catalog.environment('two')).toEqual({
        SERVICE: 'demo',
        WHERE: 'demo-qa',
        LEVEL: 'DEBUG',
      });
      expect(catalog.timeoutMs('one')).toBe(5_000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('in-process invoker: configuration through createHandler', () => {
  let root = '';
  const functions = {
    // Answers with the configuration createHandler was given.
    config:
      'export const createHandler = (config: unknown) => { const made = ++globalThis.__madeCount; return async () => ({ config, made }); };\n',
    'no-factory': 'export const handler = async () => ({});\n',
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'factory-'));
    const yaml = [
      'service: demo',
      'provider:',
      '  name: aws',
      '  environment:',
      '    POWERTOOLS_SERVICE_NAME: from-yml',
      '    POWERTOOLS_METRICS_NAMESPACE: FromYml',
      '    FAN_OUT_ALLOWED_PIPELINES: yml-child',
      'functions:',
      ...Object.keys(functions).map(
        (key) => `  ${key}:\n    handler: functions/${key}/handler.handler`,
      ),
    ].join('\n');
    writeFileSync(join(root, 'serverless.yml'), yaml);
    for (const [key, source] of Object.entries(functions)) {
      mkdirSync(join(root, 'functions', key), { recursive: true });
      writeFileSync(join(root, 'functions', key, 'handler.ts'), source);
    }
    (globalThis as { __madeCount?: number }).__madeCount = 0;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const configOf = async (invoker: ReturnType<typeof createInProcessInvoker>) => {
    const result = await invoker.invoke(request(arn('config'), {}));
    if (!result.ok) throw new Error(result.error);
    return (result.payload as { config: Record<string, Record<string, unknown>> }).config;
  };

  it("layers serverless.yml, defaults, the shell, the runtime's region and its env, and never writes process.env", async () => {
    const before = { ...process.env };
    const invoker = createInProcessInvoker({
      catalog: loadFunctionCatalog({ root }),
      defaultEnv: { POWERTOOLS_METRICS_NAMESPACE: 'FromDefaults', POWERTOOLS_LOG_LEVEL: 'WARN' },
      env: { SAGEMAKER_ENDPOINT: 'http://127.0.0.1:4599', FAN_OUT_ALLOWED_PIPELINES: '*' },
      region: 'eu-west-1',
    });
    const config = await configOf(invoker);
    expect(process.env).toEqual(before);
    expect(config.logging).toEqual({
      serviceName: 'from-yml',
      // The shell's (vitest.config.ts) wins over the default.
      logLevel: 'SILENT',
    });
    expect(config.metrics).toEqual({ namespace: 'FromDefaults', disabled: false });
    expect(config.aws).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4599',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    expect(config.allowedPipelines).toEqual({ kind: 'any' });
  });

  it('makes one handler per invoker, each with its own configuration, from one module', async () => {
    const catalog = loadFunctionCatalog({ root });
    const first = createInProcessInvoker({ catalog, env: { SAGEMAKER_ENDPOINT: 'http://a.test' } });
    const second = createInProcessInvoker({
      catalog,
      env: { SAGEMAKER_ENDPOINT: 'http://b.test' },
    });
    const made = (await first.invoke(request(arn('config'), {}))) as { payload: { made: number } };
    const again = (await first.invoke(request(arn('config'), {}))) as { payload: { made: number } };
    expect(again.payload.made).toBe(made.payload.made);
    expect((await configOf(first)).aws?.endpoint).toBe('http://a.test');
    expect((await configOf(second)).aws?.endpoint).toBe('http://b.test');
    expect((await configOf(first)).aws?.endpoint).toBe('http://a.test');
  });

  it("fails the step with one line naming the variable when the function's configuration is bad", async () => {
    const invoker = createInProcessInvoker({
      catalog: loadFunctionCatalog({ root }),
      env: { FAN_OUT_ALLOWED_PIPELINES: 'ok,arn:aws:sagemaker:x' },
    });
    const result = await invoker.invoke(request(arn('config'), {}));
    expect(result).toEqual({
      ok: false,
      error:
        'FAN_OUT_ALLOWED_PIPELINES: must be comma-separated pipeline names or a lone *, received entry "arn:aws:sagemaker:x"',
    });
  });

  it('fails a function module without createHandler, saying so', async () => {
    const invoker = createInProcessInvoker({ catalog: loadFunctionCatalog({ root }) });
    const result = await invoker.invoke(request(arn('no-factory'), {}));
    expect(result).toEqual({
      ok: false,
      error: 'functions/no-factory/handler.ts does not export createHandler(config)',
    });
  });
});

describe("this project's function modules", () => {
  const catalog = loadFunctionCatalog();
  // The batch functions stop at load without their table, as on Lambda.
  beforeAll(() => {
    vi.stubEnv('BATCH_TABLE_NAME', 'ledger');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it.each(catalog.keys)(
    '%s exports createHandler(config) and the handler it made from the environment',
    async (key) => {
      const module = (await import(`../../functions/${key}/handler.ts`)) as Record<string, unknown>;
      expect(typeof module.createHandler).toBe('function');
      expect(typeof module.handler).toBe('function');
      const made = (module.createHandler as CreateHandler)(
        configFromEnvironment({ BATCH_TABLE_NAME: 'ledger', ...catalog.environment(key) }),
      );
      expect(typeof made).toBe('function');
      expect(made).not.toBe(module.handler);
    },
  );
});

describe('in-process invoker', () => {
  it("runs this project's handler by deployed name and returns its result", async () => {
    const invoker = createInProcessInvoker();
    const result = await invoker.invoke(
      request(arn('sagemaker-pipeline-lambdas-dev-concat'), { str1: 'a', str2: 'b' }),
    );
    expect(result).toEqual({ ok: true, payload: { str3: 'ab' } });
  });

  it("returns the handler's error message for a bad input", async () => {
    const invoker = createInProcessInvoker();
    const result = await invoker.invoke(request(arn('concat'), { str1: 1 }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/str1/);
  });

  it('fails an unknown function with a message listing the known ones', async () => {
    const invoker = createInProcessInvoker({ handlers: { extra: async () => ({}) } });
    const result = await invoker.invoke(request(arn('nope'), {}));
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^FunctionArn 'arn:aws:lambda:us-east-1:123456789012:function:nope' maps to no function of this project: known functions are .*concat.*extra/,
      ),
    });
  });

  it('does not mistake inherited object properties for functions', async () => {
    const invoker = createInProcessInvoker({ handlers: { probe: async () => ({}) } });
    for (const name of ['constructor', 'toString', '__proto__']) {
      const result = await invoker.invoke(request(arn(name), {}));
      expect(result.ok).toBe(false);
    }
  });

  it('passes a Lambda context and a JSON copy of the event to registered handlers', async () => {
    let seen: Context | undefined;
    const event = { when: new Date('2026-01-01T00:00:00Z') };
    const invoker = createInProcessInvoker({
      handlers: {
        probe: async (received, context) => {
          seen = context;
          return { received, remaining: context.getRemainingTimeInMillis() };
        },
      },
    });
    const result = await invoker.invoke(request(arn('probe'), event, 60_000));
    expect(result).toMatchObject({
      ok: true,
      payload: { received: { when: '2026-01-01T00:00:00.000Z' } },
    });
    const remaining = (result as { payload: { remaining: number } }).payload.remaining;
    expect(remaining).toBeGreaterThan(55_000);
    expect(remaining).toBeLessThanOrEqual(60_000);
    expect(seen).toMatchObject({
      functionName: 'probe',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:probe',
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      logGroupName: '/aws/lambda/probe',
    });
  });
});

describe('Lambda API invoker', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function fakeLambda(
    answer: (
      name: string,
      body: string,
    ) => { status?: number; headers?: Record<string, string>; body: string },
  ) {
    const calls: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const name = decodeURIComponent(
          /functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '',
        );
        calls.push(name);
        const reply = answer(name, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        res.end(reply.body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { calls, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('invokes the deployed function name and returns the response payload', async () => {
    const lambda = await fakeLambda((_name, body) => ({
      body: JSON.stringify({ echoed: JSON.parse(body) }),
    }));
    const invoker = createLambdaClientInvoker({ endpoint: lambda.endpoint });
    const result = await invoker.invoke(request(arn('concat'), { str1: 'x' }));
    invoker.close();
    expect(result).toEqual({ ok: true, payload: { echoed: { str1: 'x' } } });
    expect(lambda.calls).toEqual(['sagemaker-pipeline-lambdas-dev-concat']);
  });

  it("turns a function error into the function's error message", async () => {
    const lambda = await fakeLambda(() => ({
      headers: { 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorMessage: 'items: expected an array', errorType: 'Error' }),
    }));
    const invoker = createLambdaClientInvoker({ endpoint: lambda.endpoint });
    const result = await invoker.invoke(request(arn('inspect-items'), {}));
    invoker.close();
    expect(result).toEqual({ ok: false, error: 'items: expected an array' });
  });

  it('fails an unknown function without calling the endpoint, and reports an unreachable endpoint', async () => {
    const lambda = await fakeLambda(() => ({ body: '{}' }));
    const invoker = createLambdaClientInvoker({ endpoint: lambda.endpoint });
    const unknown = await invoker.invoke(request(arn('ghost'), {}));
    expect(unknown.ok).toBe(false);
    expect(lambda.calls).toEqual([]);
    invoker.close();
    const down = createLambdaClientInvoker({ endpoint: 'http://127.0.0.1:9' });
    const result = await down.invoke(request(arn('concat'), {}));
    down.close();
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^invoking sagemaker-pipeline-lambdas-dev-concat failed: /),
    });
  });
});
