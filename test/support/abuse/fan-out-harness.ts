/**
 * What the three fan-out abuse suites share: a SageMaker mocked on the module clients
 * (aws-sdk-client-mock, over the fake of test/support/sagemaker), the check that accepted
 * requests start exactly the planned executions, and the checks on rejections.
 */

import { isDeepStrictEqual } from 'node:util';
import {
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { InputValidationError } from '../../../shared/errors';
import { PipelineNotAllowedError } from '../../../shared/fan-out/errors';
import { type FanOutRequest, planFanOut } from '../../../shared/fan-out/request';
import { MAX_FAILURE_REASON_LENGTH } from '../../../shared/limits';
import { ALLOWED_PIPELINES } from '../fan-out/handler-config';
import { FakeSageMaker } from '../sagemaker/fake-sagemaker';
import { ABUSE_RUNS, type FanOutExpectation, type FanOutSample } from './arbitraries';

/**
 * Inputs per fan-out trigger: about one in fifteen is an untouched valid request (to check
 * what accepted inputs start), so this many leave at least ABUSE_RUNS (10,000) bad ones.
 */
export const FAN_OUT_RUNS = ABUSE_RUNS + 1_000;

/**
 * Routes every SageMakerClient (the handlers' module clients included) to a fresh
 * {@link FakeSageMaker} per input; `reset()` between inputs.
 */
export const abuseSageMaker = () => {
  let fake = new FakeSageMaker();
  const mock = mockClient(SageMakerClient);
  mock.on(StartPipelineExecutionCommand).callsFake((input) => fake.start(input));
  mock.on(ListPipelineExecutionsCommand).callsFake((input) => fake.list(input));
  mock.on(DescribePipelineCommand).callsFake((input) => fake.describe(input));
  return {
    reset() {
      fake = new FakeSageMaker();
      fake.pipelines = new Set(ALLOWED_PIPELINES);
      mock.resetHistory();
    },
    /** StartPipelineExecution inputs the module client sent since the last reset. */
    startCalls: (): StartPipelineExecutionCommandInput[] =>
      mock.commandCalls(StartPipelineExecutionCommand).map((call) => call.args[0].input),
    /** Every SageMaker command the module client sent since the last reset. */
    callCount: () => mock.calls().length,
    restore: () => mock.restore(),
  };
};

const own = Object.getOwnPropertyNames(Object.prototype).sort();

/** Fails when anything was added to Object.prototype or Array.prototype. */
export const expectPrototypesClean = () => {
  const polluted =
    Object.getOwnPropertyNames(Object.prototype).length !== own.length ||
    ({} as Record<string, unknown>).polluted !== undefined ||
    ([] as unknown as Record<string, unknown>).polluted !== undefined;
  // expect() only on failure: called per input, it would dominate the suite's time.
  if (polluted) expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(own);
  if (polluted) throw new Error('Object.prototype or Array.prototype was polluted');
};

/** An assertion for hot paths: plain JS, so 10,000 inputs do not pay for expect() each. */
export const check = (condition: boolean, message: () => string): void => {
  if (!condition) throw new Error(message());
};

const DISPLAY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;
const PARAMETER_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const codePoints = (text: string) => [...text].length;
const nameOf = (pipeline: string) =>
  pipeline.startsWith('arn:') ? pipeline.slice(pipeline.lastIndexOf('/') + 1) : pipeline;

/**
 * For an accepted request: the StartPipelineExecution calls are exactly the plan's
 * executions, one per (pipeline, item), each within SageMaker's constraints (checked
 * here independently of the code under test); a dry run calls nothing.
 */
export const expectCallsMatchPlan = (
  request: FanOutRequest,
  calls: readonly StartPipelineExecutionCommandInput[],
) => {
  const plan = planFanOut(request);
  if (plan.dryRun) {
    check(calls.length === 0, () => `a dry run started ${calls.length} executions`);
    return;
  }
  const expected: StartPipelineExecutionCommandInput[] = [];
  for (let index = 0; index < plan.items.length; index++) {
    for (let p = 0; p < plan.pipelines.length; p++) {
      const e = plan.execution(p, index);
      expected.push({
        PipelineName: e.pipeline,
        PipelineExecutionDisplayName: e.displayName,
        PipelineExecutionDescription: JSON.stringify({
          batchId: plan.batchId,
          index,
          pipeline: e.pipeline,
          fingerprint: plan.fingerprint,
        }),
        ClientRequestToken: e.clientRequestToken,
        PipelineParameters: e.parameters,
        ...(plan.maxParallelExecutionSteps === undefined
          ? {}
          : {
              ParallelismConfiguration: {
                MaxParallelExecutionSteps: plan.maxParallelExecutionSteps,
              },
            }),
      });
    }
  }
  const order = (a: StartPipelineExecutionCommandInput, b: StartPipelineExecutionCommandInput) =>
    `${a.PipelineName}\u0000${a.ClientRequestToken}` <
    `${b.PipelineName}\u0000${b.ClientRequestToken}`
      ? -1
      : 1;
  // createdAt and caller depend on the run, not the plan: compared without them.
  const actual = calls
    .map((call) => {
      const { batchId, index, pipeline, fingerprint } = JSON.parse(
        call.PipelineExecutionDescription ?? '{}',
      ) as Record<string, unknown>;
      return {
        ...call,
        PipelineExecutionDescription: JSON.stringify({ batchId, index, pipeline, fingerprint }),
      };
    })
    .sort(order);
  expected.sort(order);
  // expect() for the diff, only when they differ.
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);

  check(
    calls.length === request.pipelines.length * request.items.length,
    () =>
      `${calls.length} calls for ${request.pipelines.length} pipelines x ${request.items.length} items`,
  );
  const tokens = new Set<string>();
  const names = new Set<string>();
  for (const call of calls) {
    const pipeline = nameOf(call.PipelineName ?? '');
    const where = () => `call ${JSON.stringify(call).slice(0, 300)}`;
    check(
      (ALLOWED_PIPELINES as readonly string[]).includes(pipeline),
      () => `${where()}: pipeline not allowed`,
    );
    const token = call.ClientRequestToken ?? '';
    check(token.length >= 32 && token.length <= 128, () => `${where()}: token length`);
    tokens.add(`${pipeline}/${token}`);
    check(
      DISPLAY_NAME.test(call.PipelineExecutionDisplayName ?? ''),
      () => `${where()}: display name`,
    );
    names.add(`${pipeline}/${call.PipelineExecutionDisplayName}`);
    check(
      (call.PipelineExecutionDescription ?? '').length <= 3072,
      () => `${where()}: description`,
    );
    const parameters = call.PipelineParameters ?? [];
    check(parameters.length <= 200, () => `${where()}: ${parameters.length} parameters`);
    for (const { Name, Value } of parameters) {
      check(PARAMETER_NAME.test(Name ?? ''), () => `${where()}: parameter name ${Name}`);
      check(
        codePoints(Value ?? '') <= 1024,
        () => `${where()}: parameter ${Name} over 1,024 characters`,
      );
    }
    if (request.parameters === undefined) {
      // Without templates the item goes in `Item`: a string as is, anything else as JSON.
      const index = (JSON.parse(call.PipelineExecutionDescription ?? '{}') as { index: number })
        .index;
      const item = request.items[index];
      const value = typeof item === 'string' ? item : JSON.stringify(item);
      check(
        isDeepStrictEqual(parameters, [{ Name: 'Item', Value: value }]),
        () => `${where()}: expected the item in parameter Item`,
      );
    }
  }
  // One execution per (pipeline, item): no token or display name twice in a pipeline.
  check(tokens.size === calls.length, () => 'a ClientRequestToken is used twice');
  check(names.size === calls.length, () => 'a display name is used twice');
};

/** True when `field` is `expected` or a field inside it (`parameters.A`, `pipelines[2]`). */
export const fieldUnder = (field: string, expected: string) =>
  field === expected || field.startsWith(`${expected}.`) || field.startsWith(`${expected}[`);

const STACK_LINE = /\bat .*\.(ts|js|mjs|cjs):\d+/;

/**
 * A rejection by a LambdaStep or EventBridge trigger: the expected error class, one
 * line that fits SageMaker's failure reason, naming the field the expectation names.
 * Rethrows any other error, so the property fails on it.
 */
export const expectClearRejection = (error: unknown, expected: FanOutExpectation) => {
  if (!(error instanceof InputValidationError || error instanceof PipelineNotAllowedError)) {
    throw error;
  }
  const { message } = error;
  const says = () => `${error.name}: ${message}`;
  check(!/[\r\n\u2028\u2029]/.test(message), () => `message spans lines: ${says()}`);
  check(!STACK_LINE.test(message), () => `message holds a stack: ${says()}`);
  check(
    codePoints(message) <= MAX_FAILURE_REASON_LENGTH,
    () =>
      `message of ${codePoints(message)} characters, over SageMaker's FailureReason: ${says().slice(0, 300)}`,
  );
  if (error instanceof PipelineNotAllowedError) {
    check(
      expected.kind === 'not-allowed' || expected.kind === 'any',
      () => `expected ${JSON.stringify(expected)}, got ${says()}`,
    );
    check(/not allowed/.test(message), () => says());
    return;
  }
  check(
    expected.kind === 'reject' || expected.kind === 'any',
    () => `expected ${JSON.stringify(expected)}, got ${says().slice(0, 500)}`,
  );
  check(error.problems.length > 0, () => `no problems listed: ${says()}`);
  check(
    error.problems.every((p) => p.field !== ''),
    () => `a problem names no field: ${says()}`,
  );
  // The reason names a field: the first one, up to its first character that gets escaped.
  const first = (error.problems[0]?.field ?? '').slice(0, 20).split(/[^\x20-\x7e]/)[0] ?? '';
  check(message.includes(first), () => `the message names no field: ${says().slice(0, 500)}`);
  if (expected.kind === 'reject') {
    const field = expected.field;
    check(
      error.problems.some((p) => fieldUnder(p.field, field)) && message.includes(field),
      () => `no problem names ${field}: ${says().slice(0, 500)}`,
    );
  }
};

/** Counts per outcome and per mutation, printed after each suite. */
export class Tally {
  readonly outcomes = new Map<string, number>();
  readonly mutations = new Map<string, number>();
  total = 0;
  /** Inputs with something wrong in them: all but untouched valid requests. */
  bad = 0;

  add(mutation: string, outcome: string, bad: boolean) {
    this.total++;
    if (bad) this.bad++;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    this.mutations.set(mutation, (this.mutations.get(mutation) ?? 0) + 1);
  }

  line(name: string, ms: number) {
    const outcomes = [...this.outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
    return `abuse ${name}: ${this.total} inputs tried (${this.bad} bad) in ${(ms / 1000).toFixed(1)} s (${outcomes}; ${this.mutations.size} kinds of input)`;
  }
}

/**
 * The state of one fan-out abuse suite, set up inside its `describe`: the fake SageMaker every client
 * reaches, the tally, and `timing.ms` (the property's run time), printed with the tally after the suite.
 */
export const abuseSuite = (label: string) => {
  const sagemaker = abuseSageMaker();
  const tally = new Tally();
  const timing = { ms: 0 };
  beforeAll(() => sagemaker.reset());
  afterAll(() => {
    sagemaker.restore();
    console.log(tally.line(label, timing.ms));
  });
  return { sagemaker, tally, timing };
};

/**
 * The property the LambdaStep and EventBridge suites check on `FAN_OUT_RUNS` generated events:
 * a rejection is clear and calls SageMaker not at all; an answer was expected, starts exactly
 * the request's plan and equals `want` (its batchId 12 hex digits). Then: the run saw at least
 * `ABUSE_RUNS` bad inputs, and both rejections and starts in number.
 */
export const checkFanOutEvents = async <R extends { batchId: string }>(
  suite: ReturnType<typeof abuseSuite>,
  events: fc.Arbitrary<FanOutSample>,
  trigger: {
    handle: (event: unknown) => Promise<R>;
    /** The request the trigger read from an accepted event. */
    requestOf: (event: unknown) => FanOutRequest;
    /** The answer for an accepted request, `requested` executions, batchId as answered. */
    want: (answer: R, requested: number, dryRun: boolean) => R;
    /** Whether a mutation name is a bad input (not an untouched valid request). */
    isBad: (mutation: string) => boolean;
  },
): Promise<void> => {
  const { sagemaker, tally, timing } = suite;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(events, async ({ mutation, request: event, expected }) => {
      sagemaker.reset();
      let answer: R;
      try {
        answer = await trigger.handle(event);
      } catch (error) {
        expectClearRejection(error, expected);
        check(sagemaker.startCalls().length === 0, () => 'started executions, then rejected');
        check(sagemaker.callCount() === 0, () => 'called SageMaker, then rejected');
        expectPrototypesClean();
        tally.add(mutation, 'rejected', trigger.isBad(mutation));
        return;
      }
      check(
        expected.kind === 'accept' || expected.kind === 'any',
        () => `${mutation}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(answer)}`,
      );
      const request = trigger.requestOf(event);
      expectCallsMatchPlan(request, sagemaker.startCalls());
      const dryRun = request.dryRun === true;
      const want = trigger.want(answer, request.pipelines.length * request.items.length, dryRun);
      if (!isDeepStrictEqual(answer, want) || !/^[0-9a-f]{12}$/.test(answer.batchId)) {
        expect(answer).toEqual({ ...want, batchId: expect.stringMatching(/^[0-9a-f]{12}$/) });
      }
      expectPrototypesClean();
      tally.add(mutation, dryRun ? 'dry run' : 'started', trigger.isBad(mutation));
    }),
    { numRuns: FAN_OUT_RUNS, timeout: 10_000 },
  );
  timing.ms = performance.now() - started;
  expect(tally.total).toBe(FAN_OUT_RUNS);
  expect(tally.bad).toBeGreaterThanOrEqual(ABUSE_RUNS);
  // The generator reaches both sides: a suite that only rejects proves little.
  expect(tally.outcomes.get('rejected') ?? 0).toBeGreaterThan(ABUSE_RUNS / 2);
  expect(tally.outcomes.get('started') ?? 0).toBeGreaterThan(ABUSE_RUNS / 20);
};
