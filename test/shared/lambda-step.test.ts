import { Logger } from '@aws-lambda-powertools/logger';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromEnvironment } from '../../shared/config';
import { InputValidationError, OutputContractError } from '../../shared/errors';
import { defineLambdaStep } from '../../shared/lambda-step';
import { createLogger } from '../../shared/logger';
import { integerArg } from '../../shared/parsers';
import { lambdaContext } from '../support/lambda/events';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/e1';

type LogLine = Record<string, unknown>;

/** What was written to stdout and stderr since the test began, in order. */
let written: string[] = [];

/** Every JSON log line written since the test began, in order. */
const logLines = (): LogLine[] =>
  written
    .map((chunk) => chunk.trim())
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as LogLine);

const capture = (chunk: string | Uint8Array): boolean => {
  written.push(String(chunk));
  return true;
};

beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A step with a fresh logger that prints everything, and a spy as its `run`. */
const makeStep = (
  run: (input: { count: number }) => unknown = ({ count }) => ({ double: count * 2 }),
) => {
  const log = new Logger({ serviceName: 'contract-test', logLevel: 'DEBUG' });
  const runSpy = vi.fn((input: { count: number }, ctx: { logger: Logger }) => {
    ctx.logger.info('Running step');
    return run(input) as { double: number };
  });
  const handler = defineLambdaStep(
    {
      name: 'double',
      description: 'Doubles count',
      input: v.object({ count: integerArg }),
      outputs: { double: 'Integer' },
      run: runSpy,
    },
    log,
  );
  return { handler, runSpy };
};

describe('defineLambdaStep handler', () => {
  it('passes the parsed input to run and returns its checked outputs', async () => {
    const { handler, runSpy } = makeStep();
    await expect(handler({ count: '21' }, lambdaContext())).resolves.toEqual({ double: 42 });
    expect(runSpy.mock.calls[0]?.[0]).toEqual({ count: 21 });
  });

  it('never calls run when the input is invalid', async () => {
    const { handler, runSpy } = makeStep();
    await expect(handler({ count: 'many' }, lambdaContext())).rejects.toThrow(InputValidationError);
    expect(runSpy).not.toHaveBeenCalled();
  });

  it('throws OutputContractError naming the output when run returns a wrong-typed value', async () => {
    const { handler } = makeStep(() => ({ double: '42' }));
    const error = await handler({ count: 1 }, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputContractError);
    expect((error as OutputContractError).output).toBe('double');
  });

  it('checks the outputs of an async run too', async () => {
    const { handler } = makeStep(async () => ({ double: 1.5 }));
    await expect(handler({ count: 1 }, lambdaContext())).rejects.toThrow(
      "Output double breaks the step's contract: declared Integer",
    );
  });

  it('ignores unknown keys and logs their names at warn level', async () => {
    const { handler } = makeStep();
    await expect(handler({ count: 1, extra: 'x', other: 2 }, lambdaContext())).resolves.toEqual({
      double: 2,
    });
    const warnings = logLines().filter((line) => line.message === 'Ignoring unknown input keys');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 'WARN',
      unknownKeys: ['extra', 'other'],
      unknownKeyCount: 2,
    });
  });

  it('logs at most 20 unknown key names, each cut to about 60 characters', async () => {
    const { handler } = makeStep();
    const event: Record<string, unknown> = { count: 1, ['k'.repeat(100_000)]: 1 };
    for (let i = 0; i < 30; i++) event[`extra${i}`] = i;
    await handler(event, lambdaContext());
    const [warning] = logLines().filter((line) => line.message === 'Ignoring unknown input keys');
    const keys = warning?.unknownKeys as string[];
    expect(keys).toHaveLength(20);
    expect(warning?.unknownKeyCount).toBe(31);
    for (const key of keys) expect(key.length).toBeLessThanOrEqual(60);
  });

  it('does not warn when every key is known, pipelineExecutionArn included', async () => {
    const { handler } = makeStep();
    await handler({ count: 1, pipelineExecutionArn: ARN }, lambdaContext());
    expect(logLines().filter((line) => line.level === 'WARN')).toEqual([]);
  });

  it('appends pipelineExecutionArn to every log line of the invocation', async () => {
    const { handler } = makeStep();
    await handler({ count: 1, pipelineExecutionArn: ARN, extra: true }, lambdaContext());
    const lines = logLines();
    expect(lines.map((line) => line.message)).toEqual([
      'Ignoring unknown input keys',
      'Running step',
    ]);
    for (const line of lines) expect(line.pipelineExecutionArn).toBe(ARN);
  });

  it('adds the Lambda context to log lines', async () => {
    const { handler } = makeStep();
    await handler({ count: 1 }, lambdaContext({ awsRequestId: 'req-1' }));
    expect(logLines()[0]).toMatchObject({ function_request_id: 'req-1' });
  });

  it('accepts a pipelineExecutionArn of 2,048 characters and rejects one of 2,049', async () => {
    const { handler } = makeStep();
    const arn = (length: number) => `${ARN}${'x'.repeat(length - ARN.length)}`;
    await expect(
      handler({ count: 1, pipelineExecutionArn: arn(2048) }, lambdaContext()),
    ).resolves.toEqual({ double: 2 });
    await expect(
      handler({ count: 1, pipelineExecutionArn: arn(2049) }, lambdaContext()),
    ).rejects.toThrow(
      'pipelineExecutionArn: expected at most 2048 characters, received 2049 characters',
    );
  });

  it('does not carry pipelineExecutionArn into the next invocation', async () => {
    const { handler } = makeStep();
    await handler({ count: 1, pipelineExecutionArn: ARN }, lambdaContext());
    written = [];
    await handler({ count: 1 }, lambdaContext());
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('pipelineExecutionArn');
  });

  it('logs an input error at warn with its problems, and a defect at error', async () => {
    const { handler } = makeStep(() => ({ double: null }));
    await handler({ count: true }, lambdaContext()).catch(() => undefined);
    await handler({ count: 1 }, lambdaContext()).catch(() => undefined);
    const failures = logLines().filter((line) => line.level !== 'INFO');
    expect(failures).toMatchObject([
      { level: 'WARN', message: 'Rejected invalid input', problems: [{ field: 'count' }] },
      { level: 'ERROR', message: 'Step failed', error: { name: 'OutputContractError' } },
    ]);
  });
});

describe("a function's logger", () => {
  it('takes its level from POWERTOOLS_LOG_LEVEL', () => {
    const logger = createLogger(configFromEnvironment({ POWERTOOLS_LOG_LEVEL: 'ERROR' }).logging);
    expect(logger.getLevelName()).toBe('ERROR');
  });

  it('takes its service name from POWERTOOLS_SERVICE_NAME', () => {
    const logger = createLogger(
      configFromEnvironment({
        POWERTOOLS_SERVICE_NAME: 'my-pipeline-steps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      }).logging,
    );
    logger.error('probe');
    expect(logLines()[0]).toMatchObject({ service: 'my-pipeline-steps', message: 'probe' });
  });
});

describe('the step error', () => {
  it('is the plain InputValidationError a handler rejects with, not wrapped by middy', async () => {
    const { handler } = makeStep();
    const error = await handler({}, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as Error).message).toBe(
      'Invalid input (1 problem): count: required, expected an integer, received nothing',
    );
  });
});
