import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/fan-out/handler';
import { InputValidationError } from '../../shared/errors';
import type { FanOutRequest } from '../../shared/fan-out/request';
import { parseEvent } from '../../shared/validation';
import {
  ABUSE_RUNS,
  badValueRarelyHuge,
  type FanOutExpectation,
  fanOutSample,
  nonObjectEvent,
  ownRecord,
} from '../support/abuse/arbitraries';
import { abuseSuite, checkFanOutEvents, FAN_OUT_RUNS } from '../support/abuse/fan-out-harness';
import { ALLOWED_PIPELINES, fanOutTestConfig } from '../support/fan-out/handler-config';
import { lambdaContext } from '../support/lambda/events';

const handler = createHandler(fanOutTestConfig());

/** The LambdaStep event: the request plus, sometimes, the caller's execution ARN (valid or not). */
const stepEvent = fc.oneof(
  {
    weight: 19,
    arbitrary: fc
      .tuple(
        fanOutSample(ALLOWED_PIPELINES),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: fc.constant(
              'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/0a1b2c3d4e5f',
            ),
          },
          { weight: 1, arbitrary: badValueRarelyHuge() },
        ),
      )
      .map(([sample, arn]) => {
        if (arn === undefined) return sample;
        const event = ownRecord([...Object.entries(sample.request), ['pipelineExecutionArn', arn]]);
        const fine = typeof arn === 'string' && arn.length <= 2048;
        if (fine) return { ...sample, request: event };
        // A bad ARN fails the schema: a valid request is then rejected naming it, and checks
        // made after the schema (allow-list, templates) are no longer reached.
        const expected: FanOutExpectation =
          sample.expected.kind === 'accept'
            ? { kind: 'reject', field: 'pipelineExecutionArn' }
            : { kind: 'any' };
        return { mutation: `${sample.mutation} + bad ARN`, request: event, expected };
      }),
  },
  {
    weight: 1,
    arbitrary: nonObjectEvent.map((event) => ({
      mutation: 'not-an-object',
      request: event as Record<string, unknown>,
      // middy hands the function {} for an undefined event: then the request's fields are missing.
      expected: {
        kind: 'reject',
        field: event === undefined ? 'pipelines' : '(event)',
      } as FanOutExpectation,
    })),
  },
);

describe('abuse: fan-out LambdaStep (functions/fan-out)', () => {
  const suite = abuseSuite('fan-out LambdaStep event');
  const { sagemaker } = suite;

  it(`answers ${FAN_OUT_RUNS} generated events, at least ${ABUSE_RUNS} of them bad, with its outputs or a one-line validation error, starting nothing when it rejects`, async () => {
    await checkFanOutEvents(suite, stepEvent, {
      handle: (event) => handler(event, lambdaContext()),
      requestOf: (event) => parseEvent(handler.contract.eventSchema, event) as FanOutRequest,
      want: (outputs, requested, dryRun) => ({
        batchId: outputs.batchId,
        startedCount: dryRun ? 0 : requested,
        deferredCount: 0,
        failedCount: 0,
        complete: !dryRun,
      }),
      isBad: (mutation) => mutation !== 'valid',
    });
  }, 240_000);

  // Record keys come from the event; InputValidationError escapes them so the reason stays one line.
  it('keeps the validation error on one line when a parameter name holds a line break', async () => {
    for (const parameters of [
      { 'Item\n': '{{item}}' },
      { 'A\r\nB': 1 },
      { 'x\u2028y': '{{index}}' },
    ]) {
      const event = { pipelines: ['child-pipeline-1'], items: ['a'], batchKey: 'k', parameters };
      sagemaker.reset();
      const error = await handler(event, lambdaContext()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as Error).message).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(sagemaker.callCount()).toBe(0);
    }
  });

  // A key is cut to 120 characters in the message, so even a 1 MB name is named.
  it('names the parameter in the failure reason when its name is 1 MB long', async () => {
    const name = 'k'.repeat(1024 * 1024);
    for (const template of ['{{item}}', '{{item.missing}}']) {
      const event = {
        pipelines: ['child-pipeline-1'],
        items: ['a'],
        batchKey: 'k',
        parameters: { [name]: template },
      };
      sagemaker.reset();
      const error = await handler(event, lambdaContext()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InputValidationError);
      expect((error as Error).message).toContain('parameters.kkkkkkkkkk');
      expect((error as Error).message.length).toBeLessThanOrEqual(1024);
      expect(sagemaker.callCount()).toBe(0);
    }
  });
});
