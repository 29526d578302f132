import { describe, expect, it } from 'vitest';
import { fitResponseBody } from '../../../shared/http/fit-response-body';

const entries = (count: number, size = 10) =>
  Array.from({ length: count }, (_, i) => `${i}`.padEnd(size, 'x'));

describe('fitResponseBody', () => {
  it('returns a body within its budget unchanged', () => {
    const body = { message: 'ok', executions: entries(5_000) };
    expect(fitResponseBody(body, ['executions'])).toBe(JSON.stringify(body));
  });

  it('cuts the lists to 1,000 entries, then halves them until the body fits, counting what it left out', () => {
    const body = { executions: entries(5_000, 100), failed: entries(10) };
    const text = fitResponseBody(body, ['executions', 'failed'], { budget: 30_000 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(30_000);
    const fitted = JSON.parse(text) as { executions: string[]; executionsOmitted: number };
    expect(fitted.executions).toEqual(body.executions.slice(0, 250));
    expect(fitted.executionsOmitted).toBe(4_750);
    expect(fitted).toMatchObject({ failed: body.failed });
    expect(fitted).not.toHaveProperty('failedOmitted');
  });

  it('adds to a count of entries the body already left out', () => {
    const body = { plan: entries(2_000), planOmitted: 7 };
    const fitted = JSON.parse(fitResponseBody(body, ['plan'], { budget: 20_000 }));
    expect(fitted.plan).toHaveLength(1_000);
    expect(fitted.planOmitted).toBe(1_007);
  });

  it('cuts to maxEntries even when the body fits', () => {
    const fitted = JSON.parse(
      fitResponseBody({ errors: entries(1_500) }, ['errors'], { maxEntries: 1_000 }),
    );
    expect(fitted.errors).toHaveLength(1_000);
    expect(fitted.errorsOmitted).toBe(500);
  });

  it('shares the kept entries among the lists inside each entry of a list', () => {
    const body = {
      pipelines: [
        { pipeline: 'a', executions: entries(3_000) },
        { pipeline: 'b', executions: entries(10) },
        { pipeline: 'c', executions: entries(400) },
      ],
    };
    const fitted = JSON.parse(
      fitResponseBody(body, [{ within: 'pipelines', list: 'executions' }], { budget: 20_000 }),
    );
    expect(fitted.pipelines.map((p: { executions: unknown[] }) => p.executions.length)).toEqual([
      333, 10, 333,
    ]);
    expect(fitted.pipelines[0].executionsOmitted).toBe(2_667);
    expect(fitted.pipelines[1]).not.toHaveProperty('executionsOmitted');
    expect(fitted.pipelines[2].executionsOmitted).toBe(67);
  });

  it('returns the body with empty lists when even those are over the budget', () => {
    const fitted = JSON.parse(
      fitResponseBody({ detail: 'x'.repeat(200), errors: entries(10) }, ['errors'], {
        budget: 100,
      }),
    );
    expect(fitted.errors).toEqual([]);
    expect(fitted.errorsOmitted).toBe(10);
  });
});
