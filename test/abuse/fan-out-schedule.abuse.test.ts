import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/fan-out-schedule/handler';
import { requestFromScheduleEvent } from '../../shared/fan-out/schedule';
import {
  ABUSE_RUNS,
  badValueRarelyHuge,
  type FanOutExpectation,
  type FanOutSample,
  fanOutSample,
  HUGE,
  nonObjectEvent,
  ownRecord,
} from '../support/abuse/arbitraries';
import {
  abuseSuite,
  checkFanOutEvents,
  expectClearRejection,
  FAN_OUT_RUNS,
} from '../support/abuse/fan-out-harness';
import { ALLOWED_PIPELINES, fanOutTestConfig } from '../support/fan-out/handler-config';
import { lambdaContext } from '../support/lambda/events';

const handler = createHandler(fanOutTestConfig());

const EVENT_ID = '6a7e8feb-b491-4cf7-a9f1-bf3703467718';

/** The envelope of an EventBridge rule's event, as the rule delivers it unchanged; `id` undefined leaves it out. */
const envelope = (detail: unknown, id: unknown, extra: Array<[string, unknown]> = []) =>
  ownRecord([
    ['version', '0'],
    ...(id === undefined ? [] : [['id', id] as const]),
    ['detail-type', 'Fan-out requested'],
    ['source', 'com.example.ml-platform'],
    ['account', '123456789012'],
    ['time', '2026-11-29T06:00:00Z'],
    ['region', 'us-east-1'],
    ['resources', []],
    ['detail', detail],
    ...extra,
  ]);

const isAbsent = (value: unknown) => value === undefined || value === null;

/**
 * A rule's event: the request in `detail`. Without a batch key in `detail` (absent or null)
 * the event id is the key, so a request missing only its key is then valid.
 */
const ruleEvent = fc
  .tuple(
    fanOutSample(ALLOWED_PIPELINES),
    fc.boolean(),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<unknown>(EVENT_ID) },
      { weight: 2, arbitrary: badValueRarelyHuge() },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('', HUGE.oneMegabyte, 'k'.repeat(2049)) },
    ),
  )
  .map(([sample, dropKey, id]): FanOutSample => {
    const detail =
      dropKey && sample.expected.kind === 'accept'
        ? ownRecord(Object.entries(sample.request).filter(([key]) => key !== 'batchKey'))
        : sample.request;
    const keyFromId = isAbsent(detail.batchKey);
    let expected = sample.expected;
    if (keyFromId) {
      const idIsKey = typeof id === 'string' && id.length >= 1 && id.length <= 2048;
      if (!idIsKey)
        expected = expected.kind === 'accept' ? { kind: 'reject', field: 'batchKey' } : expected;
      else if (expected.kind === 'reject' && expected.field === 'batchKey')
        expected = { kind: 'any' };
      // A key in an invalid body can no longer be told apart: only `any` holds.
      if (!idIsKey && sample.expected.kind === 'not-allowed') expected = { kind: 'any' };
    }
    return { mutation: `rule ${sample.mutation}`, request: envelope(detail, id), expected };
  });

/** EventBridge Scheduler's input (or a rule's constant or transformed input): the request itself. */
const schedulerEvent = fanOutSample(ALLOWED_PIPELINES).map(
  (sample): FanOutSample => ({ ...sample, mutation: `scheduler ${sample.mutation}` }),
);

/**
 * Envelopes that are not quite EventBridge's: then the event is read as the request itself,
 * which lacks `pipelines`.
 */
const brokenEnvelope = fc
  .tuple(
    fanOutSample(ALLOWED_PIPELINES),
    fc.constantFrom('detail-type', 'source', 'detail'),
    fc.oneof(
      fc.constantFrom<unknown>(undefined, null, 42, [], '{"pipelines":["child-pipeline-1"]}', true),
      badValueRarelyHuge(),
    ),
  )
  .map(([sample, key, value]): FanOutSample => {
    const event = envelope(sample.request, EVENT_ID);
    const broken = ownRecord(
      Object.entries(event)
        .filter(([k]) => k !== key)
        .concat(value === undefined ? [] : [[key, value]]),
    );
    const stillEnvelope =
      typeof broken['detail-type'] === 'string' &&
      typeof broken.source === 'string' &&
      broken.detail !== null &&
      typeof broken.detail === 'object' &&
      !Array.isArray(broken.detail);
    const expected: FanOutExpectation = stillEnvelope
      ? { kind: 'any' }
      : { kind: 'reject', field: 'pipelines' };
    return { mutation: `broken envelope: ${key}`, request: broken, expected };
  });

const scheduleEvent = fc.oneof(
  { weight: 9, arbitrary: ruleEvent },
  { weight: 9, arbitrary: schedulerEvent },
  { weight: 1, arbitrary: brokenEnvelope },
  {
    weight: 1,
    arbitrary: nonObjectEvent.map(
      (event): FanOutSample => ({
        mutation: 'not-an-object',
        request: event as Record<string, unknown>,
        // middy hands the function {} for an undefined event: then `pipelines` is missing.
        expected: { kind: 'reject', field: event === undefined ? 'pipelines' : '(event)' },
      }),
    ),
  },
);

describe('abuse: fan-out on EventBridge (functions/fan-out-schedule)', () => {
  const suite = abuseSuite('fan-out EventBridge event');
  const { sagemaker } = suite;

  it(`answers ${FAN_OUT_RUNS} generated rule events and Scheduler inputs, at least ${ABUSE_RUNS} of them bad, with a summary or a one-line validation error, starting nothing when it rejects`, async () => {
    await checkFanOutEvents(suite, scheduleEvent, {
      handle: (event) => handler(event, lambdaContext()),
      requestOf: requestFromScheduleEvent,
      want: (summary, requested, dryRun) => ({
        batchId: summary.batchId,
        requested,
        started: dryRun ? 0 : requested,
        dryRun,
      }),
      isBad: (mutation) => !mutation.endsWith(' valid'),
    });
    // Both shapes EventBridge delivers are exercised.
    const shape = (prefix: string) =>
      [...suite.tally.mutations]
        .filter(([name]) => name.startsWith(prefix))
        .reduce((n, [, c]) => n + c, 0);
    expect(shape('rule ')).toBeGreaterThan(ABUSE_RUNS / 4);
    expect(shape('scheduler ')).toBeGreaterThan(ABUSE_RUNS / 4);
  }, 240_000);

  it("keys a rule's request without batchKey by the event id, and rejects it when the id is unusable", async () => {
    sagemaker.reset();
    const detail = { pipelines: ['child-pipeline-1'], items: ['a', 'b'] };
    await expect(handler(envelope(detail, EVENT_ID), lambdaContext())).resolves.toMatchObject({
      started: 2,
    });
    for (const id of [undefined, 42, '', 'k'.repeat(2049)]) {
      sagemaker.reset();
      const error = await handler(envelope(detail, id), lambdaContext()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expectClearRejection(error, { kind: 'reject', field: 'batchKey' });
      expect(sagemaker.callCount()).toBe(0);
    }
  });
});
