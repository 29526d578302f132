import { describe, expect, it } from 'vitest';
import { compileDefinition, type Json, type Primitive } from '../../../local/engine/definition';
import {
  CallbackOutputError,
  type CallbackWaiter,
  type RunOptions,
  runExecution,
  type StepRecord,
} from '../../../local/engine/interpreter';
import { defaultValue } from '../../../local/engine/values';
import type { LambdaInvoker } from '../../../local/invokers/types';
import {
  branch,
  callbackStep,
  deferred,
  definition,
  type FakeFunction,
  fakeInvoker,
  lambdaStep,
  waitFor,
} from '../../support/local/runtime';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/q';

const identity = {
  pipelineName: 'p',
  pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p',
  executionArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc123def456',
  executionId: 'abc123def456',
  startTime: new Date('2026-11-29T08:00:00.000Z'),
};

function start(
  text: string,
  functions: Record<string, FakeFunction> | LambdaInvoker = {},
  options: Partial<RunOptions> & { params?: Record<string, Primitive> } = {},
) {
  const compiled = compileDefinition(text);
  const parameters = new Map<string, Primitive>();
  for (const [name, declaration] of compiled.parameters) {
    const value = options.params?.[name] ?? defaultValue(declaration);
    if (value !== undefined) parameters.set(name, value);
  }
  const invoker =
    'invoke' in functions
      ? (functions as LambdaInvoker)
      : fakeInvoker(functions as Record<string, FakeFunction>);
  const waiters: CallbackWaiter[] = [];
  const stopping: CallbackWaiter[] = [];
  const transitions: string[] = [];
  let token = 0;
  const run = runExecution({
    compiled,
    parameters,
    identity,
    invoker,
    lambdaTimeoutMs: 5_000,
    clock: () => new Date('2026-11-29T08:00:01.000Z'),
    newCallbackToken: () => {
      token += 1;
      return `tok${String(token).padStart(7, '0')}`;
    },
    hooks: {
      onStepChange: (step, previous) =>
        transitions.push(`${step.name}:${previous ?? '-'}>${step.status}`),
      onCallbackWaiting: (waiter) => waiters.push(waiter),
      onCallbackStopping: (waiter) => stopping.push(waiter),
    },
    ...options,
  });
  const step = (name: string): StepRecord => {
    const found = run.steps.find((s) => s.name === name);
    if (!found) throw new Error(`step ${name} did not run`);
    return found;
  };
  return { run, waiters, stopping, transitions, step, invoker };
}

const echo: FakeFunction = (payload) => payload;

describe('interpreter: values passed to Lambda steps', () => {
  it('resolves parameters (defaults and overrides), execution variables, step outputs and Std:Join', async () => {
    const text = definition(
      [
        lambdaStep('first', 'make', {}, { word: 'String', n: 'Integer' }),
        lambdaStep('second', 'echo', {
          param: { Get: 'Parameters.Name' },
          override: { Get: 'Parameters.Count' },
          id: { Get: 'Execution.PipelineExecutionId' },
          arn: { Get: 'Execution.PipelineExecutionArn' },
          pipeline: { Get: 'Execution.PipelineName' },
          pipelineArn: { Get: 'Execution.PipelineArn' },
          start: { Get: 'Execution.StartDateTime' },
          now: { Get: 'Execution.CurrentDateTime' },
          output: { Get: "Steps.first.OutputParameters['word']" },
          doubleQuoted: { Get: 'Steps.first.OutputParameters["n"]' },
          joined: {
            'Std:Join': {
              On: '/',
              Values: [
                's3:/',
                { Get: 'Execution.PipelineName' },
                { Get: "Steps.first.OutputParameters['n']" },
                true,
              ],
            },
          },
          nested: { list: [{ Get: 'Parameters.Name' }, 1], literal: 'x' },
        }),
      ],
      [
        { Name: 'Name', Type: 'String', DefaultValue: 'dflt' },
        { Name: 'Count', Type: 'Integer', DefaultValue: 1 },
      ],
    );
    const invoker = fakeInvoker({ make: () => ({ word: 'hello', n: 7 }), echo });
    const { run } = start(text, invoker, { params: { Count: 5 } });
    expect(await run.done).toEqual({ status: 'Succeeded' });
    expect(invoker.calls[1]?.payload).toEqual({
      param: 'dflt',
      override: 5,
      id: identity.executionId,
      arn: identity.executionArn,
      pipeline: 'p',
      pipelineArn: identity.pipelineArn,
      start: '2026-11-29T08:00:00.000Z',
      now: '2026-11-29T08:00:01.000Z',
      output: 'hello',
      doubleQuoted: 7,
      joined: 's3://p/7/true',
      nested: { list: ['dflt', 1], literal: 'x' },
    });
  });

  it('fails the step clearly on Std:JsonGet, since no local step writes property files', async () => {
    const text = definition([
      lambdaStep('s', 'echo', {
        value: { 'Std:JsonGet': { PropertyFile: 'evaluation', Path: 'metrics.mse' } },
      }),
    ]);
    const { run, step } = start(text, { echo });
    const outcome = await run.done;
    expect(outcome.status).toBe('Failed');
    expect(step('s').failureReason).toMatch(
      /Std:JsonGet is not supported in local mode.*property files/,
    );
  });

  it('fails the step when a reference reads a step property other than OutputParameters', async () => {
    const text = definition([
      lambdaStep('a', 'echo'),
      lambdaStep('b', 'echo', { uri: { Get: 'Steps.a.FunctionArn' } }),
    ]);
    const { run, step } = start(text, { echo });
    expect((await run.done).status).toBe('Failed');
    expect(step('b').failureReason).toMatch(
      /'Steps\.a\.FunctionArn' is not available in local mode/,
    );
  });
});

describe('interpreter: Lambda step outputs', () => {
  it('records typed outputs in metadata as strings', async () => {
    const text = definition([
      lambdaStep('s', 'f', {}, { a: 'String', b: 'Integer', c: 'Float', d: 'Boolean' }),
    ]);
    const { run, step } = start(text, { f: () => ({ a: 'x', b: 2, c: 1.5, d: false, extra: 1 }) });
    expect(await run.done).toEqual({ status: 'Succeeded' });
    expect(step('s').metadata.Lambda).toEqual({
      Arn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      OutputParameters: [
        { Name: 'a', Value: 'x' },
        { Name: 'b', Value: '2' },
        { Name: 'c', Value: '1.5' },
        { Name: 'd', Value: 'false' },
      ],
    });
  });

  it('fails the step naming a missing output', async () => {
    const { run, step } = start(definition([lambdaStep('s', 'f', {}, { want: 'String' })]), {
      f: () => ({}),
    });
    expect((await run.done).status).toBe('Failed');
    expect(step('s').failureReason).toBe("the function's response has no output 'want'");
  });

  it('fails the step naming an output of the wrong type', async () => {
    const { run, step } = start(definition([lambdaStep('s', 'f', {}, { n: 'Integer' })]), {
      f: () => ({ n: 1.5 }),
    });
    expect((await run.done).status).toBe('Failed');
    expect(step('s').failureReason).toBe(
      "output 'n' should be Integer but the function returned 1.5",
    );
  });

  it("uses the function's error message as the step's FailureReason", async () => {
    const { run, step } = start(definition([lambdaStep('s', 'f')]), {
      f: () => {
        throw new Error('Invalid input: str1 is required');
      },
    });
    const outcome = await run.done;
    expect(step('s').failureReason).toBe('Invalid input: str1 is required');
    expect(outcome).toEqual({
      status: 'Failed',
      failureReason: "Step failure: step 's' failed: Invalid input: str1 is required",
    });
  });

  it('fails a step whose function does not answer within the Lambda step timeout', async () => {
    const never = deferred();
    const { run, step } = start(
      definition([lambdaStep('s', 'slow')]),
      { slow: () => never.promise },
      {
        lambdaTimeoutMs: 50,
      },
    );
    expect((await run.done).status).toBe('Failed');
    expect(step('s').failureReason).toBe(
      'Lambda step timed out: the function did not answer within 50 ms',
    );
  });
});

describe('interpreter: step types', () => {
  it('fails an unsupported step type naming the supported ones', async () => {
    const { run, step } = start(definition([{ Name: 'train', Type: 'Training', Arguments: {} }]));
    expect((await run.done).status).toBe('Failed');
    expect(step('train').failureReason).toBe(
      'step type Training is not supported in local mode (supported: Lambda, Condition, Fail, Callback)',
    );
  });

  it('makes the evaluated Fail message the execution failure reason', async () => {
    const text = definition(
      [
        {
          Name: 'stop',
          Type: 'Fail',
          Arguments: {
            ErrorMessage: {
              'Std:Join': { On: ' ', Values: ['bad value', { Get: 'Parameters.X' }] },
            },
          },
        },
      ],
      [{ Name: 'X', Type: 'Integer', DefaultValue: 3 }],
    );
    const { run, step } = start(text);
    expect(await run.done).toEqual({ status: 'Failed', failureReason: 'bad value 3' });
    expect(step('stop').metadata.Fail).toEqual({ ErrorMessage: 'bad value 3' });
    expect(step('stop').status).toBe('Failed');
  });

  it('runs only the branch a Condition selects and records its outcome', async () => {
    const text = definition(
      [
        {
          Name: 'cond',
          Type: 'Condition',
          Arguments: {
            Conditions: [
              { Type: 'GreaterThan', LeftValue: { Get: 'Parameters.N' }, RightValue: 2 },
            ],
            IfSteps: branch(lambdaStep('big', 'echo')),
            ElseSteps: branch(lambdaStep('small', 'echo')),
          },
        },
      ],
      [{ Name: 'N', Type: 'Integer', DefaultValue: 5 }],
    );
    const high = start(text, { echo });
    await high.run.done;
    expect(high.run.steps.map((s) => s.name)).toEqual(['cond', 'big']);
    expect(high.step('cond').metadata.Condition).toEqual({ Outcome: 'True' });
    const low = start(text, { echo }, { params: { N: 1 } });
    await low.run.done;
    expect(low.run.steps.map((s) => s.name)).toEqual(['cond', 'small']);
    expect(low.step('cond').metadata.Condition).toEqual({ Outcome: 'False' });
  });

  it('fails a Condition step whose comparison has no order (a number against an object)', async () => {
    const text = definition([
      {
        Name: 'cond',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'LessThan', LeftValue: 1, RightValue: { a: 1 } as Json }],
        },
      },
    ]);
    const { run, step } = start(text);
    expect((await run.done).status).toBe('Failed');
    expect(step('cond').failureReason).toBe(
      'LessThan: LeftValue 1 (Number) and RightValue {"a":1} (an object) are not of the same type',
    );
  });

  it('waits on a Callback step until it succeeds, with typed outputs readable downstream', async () => {
    const text = definition([
      callbackStep(
        'cb',
        { job: { Get: 'Execution.PipelineExecutionId' } },
        { count: 'Integer', ok: 'Boolean' },
        'q',
      ),
      lambdaStep('after', 'echo', { count: { Get: "Steps.cb.OutputParameters['count']" } }),
    ]);
    const invoker = fakeInvoker({ echo });
    const { run, waiters, step } = start(text, invoker);
    const waiter = await waitFor(() => waiters[0], 5_000, 'callback');
    expect(waiter.message).toEqual({
      token: 'tok0000001',
      pipelineExecutionArn: identity.executionArn,
      arguments: { job: identity.executionId },
      status: 'Executing',
      stepName: 'cb',
      sqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    });
    expect(step('cb').status).toBe('Executing');
    expect(() => waiter.succeed([{ Name: 'count', Value: 'many' }])).toThrow(CallbackOutputError);
    expect(() => waiter.succeed([{ Name: 'nope', Value: '1' }])).toThrow(
      /declares no output 'nope'/,
    );
    waiter.succeed([
      { Name: 'count', Value: '3' },
      { Name: 'ok', Value: 'true' },
    ]);
    expect(await run.done).toEqual({ status: 'Succeeded' });
    expect(invoker.calls[0]?.payload).toEqual({ count: 3 });
    expect(step('cb').metadata.Callback).toEqual({
      CallbackToken: 'tok0000001',
      SqsQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
      OutputParameters: [
        { Name: 'count', Value: '3' },
        { Name: 'ok', Value: 'true' },
      ],
    });
  });

  it('fails a Callback step with the reason sent by SendPipelineExecutionStepFailure', async () => {
    const { run, waiters, step } = start(
      definition([{ Name: 'cb', Type: 'Callback', Arguments: {}, SqsQueueUrl: QUEUE }]),
    );
    (await waitFor(() => waiters[0])).fail('job crashed');
    expect((await run.done).status).toBe('Failed');
    expect(step('cb').failureReason).toBe('job crashed');
  });

  it('fails a Callback step that succeeds without a declared output', async () => {
    const text = definition([
      {
        Name: 'cb',
        Type: 'Callback',
        SqsQueueUrl: QUEUE,
        OutputParameters: [{ OutputName: 'x', OutputType: 'String' }],
      },
    ]);
    const { run, waiters, step } = start(text);
    (await waitFor(() => waiters[0])).succeed([]);
    expect((await run.done).status).toBe('Failed');
    expect(step('cb').failureReason).toBe('callback did not send the declared output(s) x');
  });
});

describe('interpreter: ordering', () => {
  it('reports Starting, Executing, then the final status for each step', async () => {
    const { run, transitions } = start(definition([lambdaStep('s', 'echo')]), { echo });
    await run.done;
    expect(transitions).toEqual(['s:->Starting', 's:Starting>Executing', 's:Executing>Succeeded']);
  });

  it('orders steps by DependsOn and by data references', async () => {
    const order: string[] = [];
    const record = (name: string) => () => {
      order.push(name);
      return { v: name };
    };
    const text = definition([
      lambdaStep('c', 'c', { x: { Get: "Steps.b.OutputParameters['v']" } }, { v: 'String' }),
      lambdaStep('b', 'b', {}, { v: 'String' }, { DependsOn: ['a'] }),
      lambdaStep('a', 'a', {}, { v: 'String' }),
    ]);
    const { run } = start(text, { a: record('a'), b: record('b'), c: record('c') });
    await run.done;
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('runs independent steps in parallel', async () => {
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const slow = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await gate.promise;
      running -= 1;
      return {};
    };
    const { run } = start(
      definition([lambdaStep('a', 'slow'), lambdaStep('b', 'slow'), lambdaStep('c', 'slow')]),
      {
        slow,
      },
    );
    await waitFor(() => running === 3, 5_000, 'three running steps');
    gate.resolve();
    await run.done;
    expect(peak).toBe(3);
  });

  it('runs at most MaxParallelExecutionSteps steps at once', async () => {
    let running = 0;
    let peak = 0;
    const slow = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return {};
    };
    const steps = ['a', 'b', 'c', 'd', 'e'].map((n) => lambdaStep(n, 'slow'));
    const { run } = start(definition(steps), { slow }, { maxParallelSteps: 2 });
    expect(await run.done).toEqual({ status: 'Succeeded' });
    expect(peak).toBe(2);
  });

  it('skips the dependants of a failed step and fails the execution once running steps end', async () => {
    const gate = deferred();
    const text = definition([
      lambdaStep('bad', 'bad'),
      lambdaStep('after', 'echo', {}, {}, { DependsOn: ['bad'] }),
      lambdaStep('slow', 'slow'),
    ]);
    let settled = false;
    const { run, step } = start(text, {
      bad: () => {
        throw new Error('boom');
      },
      echo,
      slow: async () => {
        await gate.promise;
        return {};
      },
    });
    void run.done.then(() => {
      settled = true;
    });
    await waitFor(() => run.steps.find((s) => s.name === 'bad')?.status === 'Failed');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    gate.resolve();
    expect((await run.done).status).toBe('Failed');
    expect(step('slow').status).toBe('Succeeded');
    expect(run.steps.map((s) => s.name).sort()).toEqual(['bad', 'slow']);
  });

  it('stops: running steps end, a waiting callback gets a Stopping message and ends Stopped', async () => {
    const text = definition([
      { Name: 'cb', Type: 'Callback', Arguments: {}, SqsQueueUrl: QUEUE },
      lambdaStep('next', 'echo', {}, {}, { DependsOn: ['cb'] }),
    ]);
    const { run, waiters, stopping, step } = start(text, { echo });
    const waiter = await waitFor(() => waiters[0]);
    run.stop();
    expect(stopping).toHaveLength(1);
    expect(waiter.message.status).toBe('Stopping');
    waiter.succeed([]);
    expect(await run.done).toEqual({ status: 'Stopped' });
    expect(step('cb').status).toBe('Stopped');
    expect(run.steps.map((s) => s.name)).toEqual(['cb']);
  });
});
