import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { batchIdOf } from '../../../shared/batches/identity';
import { type DynamoDbServer, useDynamoDb } from '../../support/batches/dynalite';
import { statusEvent } from '../../support/batches/fake-sagemaker';
import { handlerWorld } from '../../support/batches/handler-world';
import '../../support/batches/module-env';
import { lambdaContext, sqsRecord } from '../../support/lambda/events';

const { createHandler } = await import('../../../functions/batch-events/handler');
const { createHandler: createSubmitHandler } = await import(
  '../../../functions/batch-submit/handler'
);
const { createHandler: createReconcileHandler } = await import(
  '../../../functions/batch-reconcile/handler'
);

const record = (messageId: string, body: string) => sqsRecord('batch-events', messageId, body);

describe('batch-events, batch-submit and batch-reconcile handlers', () => {
  let dynalite: DynamoDbServer;
  useDynamoDb((_, server) => {
    dynalite = server;
  });

  it('submits from a schedule, refills on events and reports only the failing message', async () => {
    const world = await handlerWorld(dynalite.endpoint, { BATCH_ACCOUNT_CONCURRENCY_LIMIT: '2' });
    const submit = createSubmitHandler(world.config);
    const submitted = await submit(
      {
        id: 'schedule-event-1',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        resources: ['arn:aws:events:us-east-1:123456789012:rule/daily'],
        detail: { pipelines: ['child-pipeline-1'], items: ['a', 'b', 'c'] },
      },
      lambdaContext(),
    );
    expect(submitted).toMatchObject({
      batchId: batchIdOf('schedule-event-1'),
      created: true,
      counts: { running: 2, pending: 1 },
    });
    const [first, second] = world.sagemaker.children;
    if (first === undefined || second === undefined) throw new Error('not started');
    world.sagemaker.end(first);
    const events = createHandler(world.config);
    const good = record('m-good', JSON.stringify(statusEvent(first, 'Succeeded')));
    const junk = record('m-junk', 'not json');
    const other = record('m-other', JSON.stringify({ 'detail-type': 'Other', detail: {} }));
    // A ledger that cannot be reached fails the message, which SQS then redelivers.
    const broken = createHandler({
      ...world.config,
      aws: { ...world.config.aws, dynamoDbEndpoint: 'http://127.0.0.1:9' },
    });
    expect(await events({ Records: [good, junk, other] } as SQSEvent, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(world.sagemaker.children).toHaveLength(3);
    world.sagemaker.end(second);
    const lost = record('m-2', JSON.stringify(statusEvent(second, 'Succeeded')));
    expect(await broken({ Records: [junk, lost] } as SQSEvent, lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-2' }],
    });

    // The lost event only delays: the reconciler finds the ended child.
    const reconcile = createReconcileHandler(world.config);
    const report = await reconcile({}, lambdaContext());
    expect(report).toMatchObject({ batches: 1, ended: 1 });
    const batch = await world.ledger.getBatch(batchIdOf('schedule-event-1'));
    expect(batch?.succeeded).toBe(2);
  });

  it('records every ended child of a delivery, then refills each batch once', async () => {
    const world = await handlerWorld(dynalite.endpoint, { BATCH_ACCOUNT_CONCURRENCY_LIMIT: '10' });
    const submit = createSubmitHandler(world.config);
    await submit(
      {
        batchKey: 'coalesced',
        pipelines: ['child-pipeline-1'],
        items: Array.from({ length: 30 }, (_, i) => i),
        maxConcurrentExecutions: 10,
      },
      lambdaContext(),
    );
    expect(world.sagemaker.children).toHaveLength(10);
    const ended = world.sagemaker.children.map((child) => world.sagemaker.end(child));
    const events = createHandler(world.config);
    expect(
      await events(
        {
          Records: ended.map((event, i) => record(`m-${i}`, JSON.stringify(event))),
        } as SQSEvent,
        lambdaContext(),
      ),
    ).toEqual({ batchItemFailures: [] });
    const batch = await world.ledger.getBatch(batchIdOf('coalesced'));
    expect(batch).toMatchObject({ succeeded: 10, cursor: 20 });
    expect(world.sagemaker.children).toHaveLength(20);
  });
});
