import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createHandler, handler } from '../../../functions/concat/handler';
import { InputValidationError } from '../../../shared/errors';
import { lambdaContext } from '../../support/lambda/events';
import {
  characters,
  expectContractHeld,
  expectInputError,
  hostileEvent,
  hugeString,
  invoke,
  itAnswersItsFixture,
  NUM_RUNS,
} from '../../support/lambda/hostile-events';

const part = fc.oneof(
  fc.string({ maxLength: 600, unit: 'grapheme' }),
  fc.string({ maxLength: 600, unit: 'binary' }),
  fc.string({ maxLength: 20 }),
);

describe('concat handler', () => {
  itAnswersItsFixture(
    handler,
    'concat',
    ', the SageMaker best-practices step, with "Hello World"',
    {
      str3: 'Hello World',
    },
  );

  it('accepts empty parts', async () => {
    await expect(handler({ str1: '', str2: '' }, lambdaContext())).resolves.toEqual({ str3: '' });
  });

  it('accepts parts that join to exactly 1,024 characters', async () => {
    const outputs = await handler(
      { str1: 'a'.repeat(1000), str2: 'b'.repeat(24) },
      lambdaContext(),
    );
    expect(outputs.str3).toHaveLength(1024);
  });

  it('reports parts that join to 1,025 characters as an input error on str2', async () => {
    const outcome = await invoke(handler, { str1: 'a'.repeat(1000), str2: 'b'.repeat(25) });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expectInputError(outcome.error, ['str2']);
    expect((outcome.error as Error).message).toBe(
      'Invalid input (1 problem): str2: str1 + str2 is 1025 characters, 1 over the 1024-character limit of the str3 output',
    );
  });

  it('counts characters, not UTF-16 units: 1,024 emoji fit', async () => {
    const outputs = await handler(
      { str1: '😀'.repeat(512), str2: '😀'.repeat(512) },
      lambdaContext(),
    );
    expect(characters(outputs.str3)).toBe(1024);
  });

  it('rejects a number where a string is expected rather than converting it', async () => {
    const outcome = await invoke(handler, { str1: 1, str2: '2' });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expectInputError(outcome.error, ['str1']);
  });

  it('returns str1 + str2 whenever they fit, and an input error on str2 when they do not', async () => {
    await fc.assert(
      fc.asyncProperty(part, part, async (str1, str2) => {
        const outcome = await invoke(handler, { str1, str2 });
        if (characters(str1 + str2) <= 1024) {
          expect(outcome).toEqual({ ok: true, outputs: { str3: str1 + str2 } });
        } else {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expectInputError(outcome.error, ['str2']);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('for any event returns a valid str3 or an input error naming a field, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileEvent({ str1: part, str2: fc.oneof(part, hugeString) }),
        async (event) => {
          expectContractHeld(handler, await invoke(handler, event));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('reads arguments from the event itself, never from a "__proto__" key', async () => {
    const outcome = await invoke(handler, JSON.parse('{"__proto__": {"str1": "a", "str2": "b"}}'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(InputValidationError);
      expect((outcome.error as Error).message).toContain('str1: required');
    }
  });

  describe('createHandler', () => {
    /** The log lines Powertools writes (JSON on stdout and stderr) while `run` runs. */
    const logLines = async (run: () => Promise<unknown>) => {
      const lines: Array<Record<string, unknown>> = [];
      const capture = (chunk: unknown) => {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        return true;
      };
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      try {
        await run();
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
      return lines;
    };
    const event = { str1: 'a', str2: 'b', extra: 1 };

    it('logs with the service name and level of the config it is given', async () => {
      const made = createHandler({
        logging: { serviceName: 'concat-under-test', logLevel: 'WARN' },
      });
      const lines = await logLines(() => made(event, lambdaContext()));
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: 'Ignoring unknown input keys',
          service: 'concat-under-test',
          unknownKeys: ['extra'],
        }),
      ]);
    });

    it('writes nothing below the configured level, whatever the environment says', async () => {
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
      try {
        const made = createHandler({
          logging: { serviceName: 'concat-under-test', logLevel: 'ERROR' },
        });
        expect(await logLines(() => made(event, lambdaContext()))).toEqual([]);
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
});
