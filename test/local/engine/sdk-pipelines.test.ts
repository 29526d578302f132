/**
 * Pipelines of the SageMaker Python SDK's own tests (test/fixtures/sdk/README.md names each one),
 * run by the local engine and held to what the SDK's integration tests assert.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileDefinition, type Primitive } from '../../../local/engine/definition';
import { runExecution } from '../../../local/engine/interpreter';
import { defaultValue, parseTyped } from '../../../local/engine/values';
import { compilePipelineDefinition } from '../../../local/pipelines';
import { type FakeFunction, fakeInvoker } from '../../support/local/runtime';

const fixture = (name: string) => readFileSync(`test/fixtures/sdk/${name}`, 'utf8');

/** Runs a definition as StartPipelineExecution would, with `given` as the request's parameters. */
async function run(
  text: string,
  given: Record<string, string> = {},
  functions: Record<string, FakeFunction> = {},
) {
  const compiled = compileDefinition(text);
  const parameters = new Map<string, Primitive>();
  for (const [name, declaration] of compiled.parameters) {
    const value =
      given[name] === undefined
        ? defaultValue(declaration)
        : parseTyped(declaration.Type, given[name]);
    if (value !== undefined) parameters.set(name, value);
  }
  const execution = runExecution({
    compiled,
    parameters,
    identity: {
      pipelineName: 'my-pipeline',
      pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipeline',
      executionArn:
        'arn:aws:sagemaker:us-east-1:123456789012:pipeline/my-pipeline/execution/abc123def456',
      executionId: 'abc123def456',
      startTime: new Date('2026-12-01T08:00:00.000Z'),
    },
    invoker: fakeInvoker(functions),
    lambdaTimeoutMs: 5_000,
    clock: () => new Date('2026-12-01T08:00:01.000Z'),
    newCallbackToken: () => 'token',
  });
  const outcome = await execution.done;
  const step = (name: string) => {
    const found = execution.steps.find((s) => s.name === name);
    if (!found) throw new Error(`step ${name} did not run`);
    return found;
  };
  return { outcome, steps: execution.steps, step };
}

describe('SDK pipelines: Steps.<Condition step>.Outcome', () => {
  it('renders the Outcome as false in Std:Join (test_two_step_fail_pipeline_with_join_fn)', async () => {
    const { outcome, steps, step } = await run(fixture('fail-step-join-outcome.json'), {
      MyInt: '3',
    });
    expect(outcome.status).toBe('Failed');
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['CondStep', 'Succeeded'],
      ['FailStep', 'Failed'],
    ]);
    expect(step('CondStep').metadata.Condition).toEqual({ Outcome: 'False' });
    expect(step('FailStep').failureReason).toBe('Failed due to xxx == yyy returns: false');
    expect(step('FailStep').metadata.Fail).toEqual({
      ErrorMessage: 'Failed due to xxx == yyy returns: false',
    });
  });

  it('renders a true Outcome as true', async () => {
    const { step } = await run(fixture('fail-step-join-outcome.json'), { MyInt: '1' });
    expect(step('CondStep').metadata.Condition).toEqual({ Outcome: 'True' });
    expect(step('FailStep').failureReason).toBe('Failed due to xxx == yyy returns: true');
  });

  it('makes the step that reads the Outcome wait for the Condition step', () => {
    const compiled = compileDefinition(fixture('fail-step-join-outcome.json'));
    expect(compiled.steps.get('FailStep')?.dependsOn).toEqual(['CondStep']);
  });
});

describe('SDK pipelines: what CreatePipeline and UpdatePipeline refuse', () => {
  it('refuses a Condition step that depends on a Fail step (test_invalid_pipeline_depended_on_fail_step)', () => {
    let refused: unknown;
    try {
      compilePipelineDefinition(fixture('condition-depends-on-fail-step.json'), undefined);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      type: 'ValidationException',
      message:
        "Invalid pipeline definition: CondStep can not depends on FailStep: Condition step 'CondStep' depends on Fail step 'FailStep'",
    });
  });

  it("refuses Not written with the SDK's old Expression member, as SageMaker did (SDK issue #2746)", () => {
    const old = fixture('condition-not.json').replace('"Condition": {', '"Expression": {');
    expect(() => compileDefinition(old)).toThrow(
      "step 'CondStep': Cannot parse object, unknown property 'Expression' in a Not condition (it takes Type, Condition)",
    );
  });

  it('runs Not as the SDK writes it (test_two_step_fail_pipeline_with_str_err_msg)', async () => {
    const { outcome, steps, step } = await run(fixture('condition-not.json'));
    expect(outcome.status).toBe('Failed');
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['CondStep', 'Succeeded'],
      ['FailStep', 'Failed'],
    ]);
    expect(step('FailStep').failureReason).toBe('Failed due to hitting in else branch');
  });
});

describe('SDK pipelines: conditions and values', () => {
  const reason = async (given: Record<string, string>) =>
    (await run(fixture('pipeline-var-to-string.json'), given)).step('FailStep').failureReason;

  it('compares a String with an Integer turned into a string (test_ppl_var_to_string_and_add)', async () => {
    expect(await reason({})).toBe(
      'condition greater than check return: false and left side param str is 1 and right side param int is 3',
    );
    expect(await reason({ MyInteger: '0' })).toBe(
      'condition greater than check return: true and left side param str is 1 and right side param int is 0',
    );
  });

  it('orders the two strings as strings: "10" is not greater than "9"', async () => {
    expect(await reason({ MyString: '10', MyInteger: '9' })).toBe(
      'condition greater than check return: false and left side param str is 10 and right side param int is 9',
    );
  });

  it('fails the Condition step when the String is compared with the Integer itself', async () => {
    const parsed = JSON.parse(fixture('pipeline-var-to-string.json'));
    parsed.Steps[0].Arguments.Conditions[0].RightValue = { Get: 'Parameters.MyInteger' };
    const direct = JSON.stringify(parsed);
    const { outcome, step } = await run(direct);
    expect(outcome.status).toBe('Failed');
    expect(step('CondStep').failureReason).toBe(
      'GreaterThan: LeftValue "1" (String) and RightValue 3 (Number) are not of the same type',
    );
  });

  it('renders Float parameters and outputs as floats in Std:Join and in step metadata', async () => {
    const events: unknown[] = [];
    const { outcome, step } = await run(
      fixture('float-parameters.json'),
      {},
      {
        train: (event) => {
          events.push(event);
          return { score: 1 };
        },
      },
    );
    expect(events).toEqual([{ learning_rate: 0.00001 }]);
    expect(step('Train').metadata.Lambda?.OutputParameters).toEqual([
      { Name: 'score', Value: '1.0' },
    ]);
    expect(outcome.status).toBe('Failed');
    expect(step('ScoreTooLow').failureReason).toBe('score 1.0 is below 2.0 at learning rate 1e-05');
  });
});
