import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findBatchExecutions } from '../../../shared/fan-out/batch-executions';
import { batchIdOf, displayNameOf } from '../../../shared/fan-out/identity';
import type { FanOutSageMaker } from '../../../shared/fan-out/sagemaker';
import { FakeSageMaker, mockSageMaker } from '../../support/sagemaker/fake-sagemaker';

const batchId = batchIdOf('batch-1');

describe('findBatchExecutions', () => {
  let fake: FakeSageMaker;
  let port: FanOutSageMaker;
  let restore: () => void;

  const seed = (names: string[]) => {
    for (const [i, name] of names.entries()) {
      void fake.start({
        PipelineName: 'child-a',
        ClientRequestToken: `token-${i}-${name}`.padEnd(32, '0'),
        PipelineExecutionDisplayName: name,
      });
    }
  };

  beforeEach(() => {
    fake = new FakeSageMaker();
    const mocked = mockSageMaker(fake);
    port = mocked.port;
    restore = () => mocked.mock.restore();
  });
  afterEach(() => restore());

  it('pages through NextToken and keeps only the executions of the batch, by index', async () => {
    seed([
      ...Array.from({ length: 250 }, (_, i) => displayNameOf('run', batchId, i)),
      displayNameOf('run', batchIdOf('other'), 1),
      'unrelated-execution',
    ]);
    const { executions, truncated } = await findBatchExecutions(port, 'child-a', batchId, {
      maxPages: 10,
    });
    expect(truncated).toBe(false);
    expect([...executions.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
    expect(fake.listCalls).toBe(3);
  });

  it('stops once every expected index is found', async () => {
    seed([
      ...Array.from({ length: 300 }, (_, i) => `older-${i}`),
      ...Array.from({ length: 50 }, (_, i) => displayNameOf('run', batchId, i)),
    ]);
    const { executions } = await findBatchExecutions(port, 'child-a', batchId, {
      maxPages: 10,
      stopAfter: 50,
    });
    expect(executions.size).toBe(50);
    expect(fake.listCalls).toBe(1);
  });

  it('stops after pages without the batch, and says the listing was cut short', async () => {
    seed(Array.from({ length: 500 }, (_, i) => `history-${i}`));
    const result = await findBatchExecutions(port, 'child-a', batchId, {
      maxPages: 10,
      stopAfterPagesWithoutMatch: 2,
    });
    expect(result).toEqual({ executions: new Map(), truncated: true, nextToken: '200' });
    expect(fake.listCalls).toBe(2);
  });

  it('keeps the newest execution when an index appears twice', async () => {
    seed([displayNameOf('run', batchId, 0), displayNameOf('run', batchId, 0)]);
    const { executions } = await findBatchExecutions(port, 'child-a', batchId, { maxPages: 1 });
    expect(executions.get(0)?.executionArn).toBe(fake.executions[1]?.arn);
  });

  it('stops when the caller runs out of time', async () => {
    seed(Array.from({ length: 300 }, (_, i) => displayNameOf('run', batchId, i)));
    let pages = 0;
    const result = await findBatchExecutions(port, 'child-a', batchId, {
      maxPages: 10,
      mayContinue: () => pages++ < 1,
    });
    expect(result.truncated).toBe(true);
    expect(result.executions.size).toBe(100);
  });
});
