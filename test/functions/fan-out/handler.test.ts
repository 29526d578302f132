import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/fan-out/handler';
import { InputValidationError } from '../../../shared/errors';
import { NothingStartedError, PipelineNotAllowedError } from '../../../shared/fan-out/errors';
import { batchIdOf } from '../../../shared/fan-out/identity';
import { fanOutTestConfig } from '../../support/fan-out/handler-config';
import { lambdaContext, loadEvent } from '../../support/lambda/events';
import { type FakeSageMaker, useFakeSageMaker } from '../../support/sagemaker/fake-sagemaker';

const handler = createHandler(fanOutTestConfig());

describe('fan-out LambdaStep handler', () => {
  let fake: FakeSageMaker;

  beforeEach(() => {
    fake = useFakeSageMaker();
  });

  it('declares its outputs with the contract library', () => {
    expect(handler.contract.outputParameters).toEqual([
      { OutputName: 'batchId', OutputType: 'String' },
      { OutputName: 'startedCount', OutputType: 'Integer' },
      { OutputName: 'deferredCount', OutputType: 'Integer' },
      { OutputName: 'failedCount', OutputType: 'Integer' },
      { OutputName: 'complete', OutputType: 'Boolean' },
    ]);
  });

  it('fans out the LambdaStep event from events/fan-out.json', async () => {
    const event = loadEvent('fan-out');
    const outputs = await handler(event, lambdaContext());
    expect(outputs).toEqual({
      batchId: batchIdOf(event.batchKey as string),
      startedCount: 6,
      deferredCount: 0,
      failedCount: 0,
      complete: true,
    });
    const params = fake.executions.map((e) => e.parameters);
    expect(params).toContainEqual([
      { Name: 'Item', Value: '["c","d"]' },
      { Name: 'BatchIndex', Value: '1' },
    ]);
    expect(fake.executions.map((e) => e.displayName)).toContain(`parent-${outputs.batchId}-2`);
  });

  it('succeeds with the counts when some items are deferred, and completes on re-send', async () => {
    fake.quota = 4;
    const event = loadEvent('fan-out');
    expect(await handler(event, lambdaContext())).toMatchObject({
      startedCount: 4,
      deferredCount: 2,
      complete: false,
    });
    fake.finishAll();
    fake.quota = Number.POSITIVE_INFINITY;
    expect(await handler(loadEvent('fan-out'), lambdaContext())).toMatchObject({
      startedCount: 6,
      deferredCount: 0,
      complete: true,
    });
    expect(fake.executions).toHaveLength(6);
  });

  it('fails the step with a one-line reason when nothing could be started', async () => {
    fake.quota = 0;
    const failure = handler(loadEvent('fan-out'), lambdaContext());
    await expect(failure).rejects.toThrow(NothingStartedError);
    await expect(handler(loadEvent('fan-out'), lambdaContext())).rejects.toThrow(
      /^Fan-out started nothing: batch [0-9a-f]{12}: 0 of 6 started, 6 deferred \(resource-limit\)/,
    );
  });

  it('fails the step, starting nothing, on an invalid request', async () => {
    const event = { ...loadEvent('fan-out'), items: '[]', maxConcurrency: 'many' };
    await expect(handler(event, lambdaContext())).rejects.toThrow(InputValidationError);
    await expect(handler(event, lambdaContext())).rejects.toThrow(/items: .*; maxConcurrency: /);
    expect(fake.startInputs).toHaveLength(0);
  });

  it('fails the step for a pipeline outside FAN_OUT_ALLOWED_PIPELINES', async () => {
    const event = { ...loadEvent('fan-out'), pipelines: '["child-pipeline-1", "prod-training"]' };
    await expect(handler(event, lambdaContext())).rejects.toThrow(PipelineNotAllowedError);
    expect(fake.startInputs).toHaveLength(0);
  });

  it('returns zero counts and starts nothing on a dry run', async () => {
    const event = { ...loadEvent('fan-out'), dryRun: 'true' };
    const outputs = await handler(event, lambdaContext());
    expect(outputs).toMatchObject({ startedCount: 0, deferredCount: 0, complete: false });
    expect(fake.startInputs).toHaveLength(0);
  });
});
