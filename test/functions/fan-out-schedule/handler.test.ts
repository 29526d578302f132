import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/fan-out-schedule/handler';
import { InputValidationError } from '../../../shared/errors';
import { FanOutIncompleteError } from '../../../shared/fan-out/errors';
import { batchIdOf } from '../../../shared/fan-out/identity';
import { requestFromScheduleEvent } from '../../../shared/fan-out/schedule';
import { fanOutTestConfig } from '../../support/fan-out/handler-config';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import { type FakeSageMaker, useFakeSageMaker } from '../../support/sagemaker/fake-sagemaker';

const handler = createHandler(fanOutTestConfig());

describe('fan-out-schedule handler', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
  });

  it("takes an EventBridge rule's request from detail, keyed by the event id", async () => {
    const event = loadEvent('fan-out-eventbridge');
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({
      batchId: batchIdOf(event.id as string),
      requested: 2,
      started: 2,
      dryRun: false,
    });
    expect(fake.executions.map((e) => e.parameters)).toEqual([
      [
        { Name: 'Region', Value: 'eu-west-1' },
        { Name: 'Day', Value: '2026-11-28' },
      ],
      [
        { Name: 'Region', Value: 'us-east-1' },
        { Name: 'Day', Value: '2026-11-28' },
      ],
    ]);
  });

  it('starts nothing new when the same event is delivered again', async () => {
    await handler(loadEvent('fan-out-eventbridge'), lambdaContext());
    await handler(loadEvent('fan-out-eventbridge'), lambdaContext());
    expect(fake.executions).toHaveLength(2);
  });

  it("prefers a batchKey in the rule's detail over the event id", () => {
    const event = loadEvent<{ detail: Record<string, unknown> }>('fan-out-eventbridge');
    event.detail.batchKey = 'nightly-2026-11-28';
    expect(requestFromScheduleEvent(event).batchKey).toBe('nightly-2026-11-28');
  });

  it("takes EventBridge Scheduler's input, or a transformed input, as the request itself", async () => {
    const result = await handler(loadEvent('fan-out-scheduler'), lambdaContext());
    expect(result).toMatchObject({ batchId: batchIdOf('d32c5kddcf5bb8c3'), started: 6 });
    expect(fake.executions[0]?.parameters).toEqual([
      { Name: 'Item', Value: 'a' },
      { Name: 'Batch', Value: batchIdOf('d32c5kddcf5bb8c3') },
    ]);
  });

  it('throws while items are deferred, so that the retry of the same event resumes the batch', async () => {
    fake.quota = 3;
    const first = handler(loadEvent('fan-out-scheduler'), lambdaContext());
    await expect(first).rejects.toThrow(FanOutIncompleteError);
    await expect(first).rejects.toThrow(/3 of 6 started, 3 deferred \(resource-limit\)/);
    fake.finishAll();
    fake.quota = Number.POSITIVE_INFINITY;
    await expect(handler(loadEvent('fan-out-scheduler'), lambdaContext())).resolves.toMatchObject({
      started: 6,
    });
    expect(fake.executions).toHaveLength(6);
  });

  it('throws when an item failed, naming the error', async () => {
    fake.pipelines = new Set(['child-pipeline-1']);
    await expect(handler(loadEvent('fan-out-scheduler'), lambdaContext())).rejects.toThrow(
      /3 failed \(first: child-pipeline-2 item 0: ResourceNotFound/,
    );
  });

  it('rejects a scheduled rule event without a request in its detail, listing the fields', async () => {
    const event = {
      ...loadEvent('fan-out-eventbridge'),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      detail: {},
    };
    await expect(handler(event, lambdaContext())).rejects.toThrow(InputValidationError);
    await expect(handler(event, lambdaContext())).rejects.toThrow(
      /pipelines: required.*items: required/,
    );
    expect(fake.startInputs).toHaveLength(0);
  });

  it('rejects a constant input without a batch key', async () => {
    const { batchKey: _, ...withoutKey } = loadEvent('fan-out-scheduler');
    await expect(handler(withoutKey, lambdaContext())).rejects.toThrow(/batchKey: required/);
  });
});
