import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileDefinition,
  DefinitionError,
  type Json,
  parseReference,
} from '../../../local/engine/definition';
import { KNOWN_STEP_TYPES, SUPPORTED_STEP_TYPES } from '../../../local/engine/rules';
import { branch, definition, lambdaStep } from '../../support/local/runtime';

function rejection(text: string): string {
  try {
    compileDefinition(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected the definition to be rejected');
}

describe('definition: references', () => {
  it('parses every reference form', () => {
    expect(parseReference('Parameters.Items')).toEqual({ kind: 'parameter', name: 'Items' });
    expect(parseReference('Execution.PipelineExecutionArn')).toEqual({
      kind: 'execution',
      variable: 'PipelineExecutionArn',
    });
    expect(parseReference("Steps.a-b.OutputParameters['x']")).toEqual({
      kind: 'stepOutput',
      step: 'a-b',
      output: 'x',
    });
    expect(parseReference('Steps.a.OutputParameters["x"]')).toEqual({
      kind: 'stepOutput',
      step: 'a',
      output: 'x',
    });
    expect(parseReference('Steps.train.ModelArtifacts.S3ModelArtifacts')).toEqual({
      kind: 'stepProperty',
      step: 'train',
      property: 'ModelArtifacts.S3ModelArtifacts',
    });
  });

  it('rejects an unknown execution variable, listing the known ones', () => {
    expect(() => parseReference('Execution.Nope')).toThrow(
      /unknown execution variable 'Execution.Nope' \(known: Execution.PipelineExecutionId/,
    );
  });

  it('rejects a reference of no known form', () => {
    expect(() => parseReference('Properties.X')).toThrow("unsupported reference 'Properties.X'");
  });
});

describe('definition: CreatePipeline checks', () => {
  it('builds the DAG from DependsOn, data references and Condition branches', () => {
    const compiled = compileDefinition(
      definition([
        lambdaStep('a', 'f', {}, { x: 'String' }),
        lambdaStep('b', 'f', { v: { Get: "Steps.a.OutputParameters['x']" } }),
        {
          Name: 'cond',
          Type: 'Condition',
          DependsOn: ['b'],
          Arguments: {
            Conditions: [
              {
                Type: 'Equals',
                LeftValue: { Get: "Steps.a.OutputParameters['x']" },
                RightValue: 'y',
              },
            ],
            IfSteps: branch(lambdaStep('yes', 'f')),
            ElseSteps: branch(lambdaStep('no', 'f')),
          },
        },
      ]),
    );
    expect(compiled.steps.get('b')?.dependsOn).toEqual(['a']);
    expect(compiled.steps.get('cond')?.dependsOn.sort()).toEqual(['a', 'b']);
    expect(compiled.steps.get('yes')).toMatchObject({
      dependsOn: ['cond'],
      branch: { condition: 'cond', outcome: 'True' },
    });
    expect(compiled.steps.get('no')?.branch).toEqual({ condition: 'cond', outcome: 'False' });
  });

  it('rejects a duplicate step name, also inside a Condition branch', () => {
    expect(rejection(definition([lambdaStep('a', 'f'), lambdaStep('a', 'f')]))).toBe(
      "duplicate step name 'a'",
    );
    const nested = definition([
      lambdaStep('x', 'f'),
      {
        Name: 'c',
        Type: 'Condition',
        Arguments: { Conditions: [], IfSteps: branch(lambdaStep('x', 'f')) },
      },
    ]);
    expect(rejection(nested)).toBe("duplicate step name 'x'");
  });

  it('rejects a cycle and names it', () => {
    const text = definition([
      lambdaStep('a', 'f', { v: { Get: "Steps.c.OutputParameters['o']" } }, { o: 'String' }),
      lambdaStep('b', 'f', {}, { o: 'String' }, { DependsOn: ['a'] }),
      lambdaStep('c', 'f', { v: { Get: "Steps.b.OutputParameters['o']" } }, { o: 'String' }),
    ]);
    expect(rejection(text)).toBe('steps form a cycle: a -> c -> b -> a');
    expect(rejection(definition([lambdaStep('self', 'f', {}, {}, { DependsOn: ['self'] })]))).toBe(
      'steps form a cycle: self -> self',
    );
  });

  it('rejects unknown references: parameter, step, step output, DependsOn', () => {
    expect(
      rejection(definition([lambdaStep('a', 'f', { v: { Get: 'Parameters.Missing' } })])),
    ).toBe("step 'a' references unknown parameter 'Parameters.Missing'");
    expect(
      rejection(
        definition([lambdaStep('a', 'f', { v: { Get: "Steps.ghost.OutputParameters['x']" } })]),
      ),
    ).toBe("step 'a' references unknown step in 'Steps.ghost.OutputParameters['x']'");
    expect(
      rejection(
        definition([
          lambdaStep('a', 'f', {}, { x: 'String' }),
          lambdaStep('b', 'f', { v: { Get: "Steps.a.OutputParameters['y']" } }),
        ]),
      ),
    ).toBe("step 'b' references output 'y' that step 'a' does not declare");
    expect(rejection(definition([lambdaStep('a', 'f', {}, {}, { DependsOn: ['ghost'] })]))).toBe(
      "step 'a' depends on unknown step 'ghost'",
    );
    expect(
      rejection(definition([lambdaStep('a', 'f', { v: { Get: 'Execution.Bogus' } })])),
    ).toMatch(/^step 'a': unknown execution variable 'Execution.Bogus'/);
  });

  it('rejects malformed definitions with a message naming the problem', () => {
    expect(rejection('{not json')).toMatch(/^pipeline definition is not valid JSON/);
    expect(rejection(JSON.stringify({ Version: '2019-01-01', Steps: [] }))).toBe(
      'unsupported definition Version "2019-01-01" (expected "2020-12-01")',
    );
    expect(rejection(definition([]))).toBe('pipeline definition has no Steps');
    expect(rejection(definition([lambdaStep('a', 'f')], [{ Name: 'P', Type: 'Text' }]))).toBe(
      "parameter 'P' has Type 'Text' (expected String, Integer, Float, Boolean)",
    );
    expect(
      rejection(
        definition([lambdaStep('a', 'f')], [{ Name: 'P', Type: 'Integer', DefaultValue: 'ten' }]),
      ),
    ).toBe('parameter \'P\' of Type Integer has DefaultValue "ten"');
    expect(
      rejection(
        definition(
          [lambdaStep('a', 'f')],
          [
            { Name: 'P', Type: 'String' },
            { Name: 'P', Type: 'String' },
          ],
        ),
      ),
    ).toBe("duplicate parameter name 'P'");
    expect(rejection(definition([lambdaStep('a', 'f', {}, { o: 'Text' as 'String' })]))).toBe(
      "step 'a': output 'o' has OutputType 'Text' (expected String, Integer, Float, Boolean)",
    );
    expect(rejection(definition([{ Name: 'c', Type: 'Condition', Arguments: {} }]))).toBe(
      "condition step 'c' has no Arguments.Conditions list",
    );
  });

  it('rejects step names outside ^[A-Za-z0-9\\-_]{1,64}$ (schema StepName, API model StepName)', () => {
    for (const name of ['has space', 'dot.ted', 'x'.repeat(65), 'ünï']) {
      expect(rejection(definition([lambdaStep(name, 'f')]))).toMatch(
        /^step name '.+' must match \^\[A-Za-z0-9\\-_\]\{1,64\}\$$/,
      );
    }
    const nested = definition([
      {
        Name: 'c',
        Type: 'Condition',
        Arguments: { Conditions: [], IfSteps: branch(lambdaStep('bad/name', 'f')) },
      },
    ]);
    expect(rejection(nested)).toBe("step name 'bad/name' must match ^[A-Za-z0-9\\-_]{1,64}$");
    expect(
      compileDefinition(definition([lambdaStep(`A-_9${'z'.repeat(60)}`, 'f')])).steps.size,
    ).toBe(1);
  });

  it('rejects unknown step types and keeps those SageMaker knows but local mode does not run', () => {
    expect(rejection(definition([{ Name: 's', Type: 'Lamda', Arguments: {} }]))).toBe(
      "step 's' has unknown Type 'Lamda' (known: Lambda, Condition, Fail, Callback, Training, Processing, Transform, Model, RegisterModel, Tuning, ClarifyCheck, QualityCheck, EMR, EMRServerless, AutoML, Endpoint, EndpointConfig, BedrockCustomModel, BedrockCustomModelDeployment, BedrockProvisionedModelThroughput, BedrockModelImport, InferenceComponent, Lineage, Job)",
    );
    const notRun = KNOWN_STEP_TYPES.filter(
      (type) => !(SUPPORTED_STEP_TYPES as readonly string[]).includes(type),
    );
    expect(notRun).toHaveLength(KNOWN_STEP_TYPES.length - 4);
    for (const Type of notRun) {
      expect(compileDefinition(definition([{ Name: 's', Type, Arguments: {} }])).steps.size).toBe(
        1,
      );
    }
  });

  it('rejects unknown properties on a step, naming the step and the property', () => {
    expect(rejection(definition([lambdaStep('a', 'f', {}, {}, { DependOn: ['x'] })]))).toBe(
      "step 'a': Cannot parse object, unknown property 'DependOn' (a Lambda step takes Name, Type, Arguments, DependsOn, DisplayName, Description, FunctionArn, OutputParameters, CacheConfig)",
    );
    expect(
      rejection(definition([{ Name: 'f', Type: 'Fail', Arguments: {}, FunctionArn: 'x' }])),
    ).toMatch(/^step 'f': Cannot parse object, unknown property 'FunctionArn' \(a Fail step takes/);
    expect(
      rejection(
        definition([{ Name: 'c', Type: 'Condition', Arguments: { Conditions: [], Then: [] } }]),
      ),
    ).toBe(
      "step 'c': Cannot parse object, unknown property 'Then' in Arguments (a Condition step's Arguments take Conditions, IfSteps, ElseSteps)",
    );
    expect(
      rejection(definition([{ Name: 't', Type: 'Training', Arguments: {}, Retry: [] }])),
    ).toMatch(/^step 't': Cannot parse object, unknown property 'Retry' \(a Training step takes/);
    const known = {
      Name: 't',
      Type: 'Processing',
      Arguments: {},
      RetryPolicies: [],
      CacheConfig: { Enabled: true },
      PropertyFiles: [],
    };
    expect(compileDefinition(definition([known])).steps.size).toBe(1);
  });

  it('rejects a Lambda step without FunctionArn and a Callback step without SqsQueueUrl', () => {
    expect(rejection(definition([{ Name: 'l', Type: 'Lambda', Arguments: {} }]))).toBe(
      "Lambda step 'l' has no FunctionArn",
    );
    expect(rejection(definition([{ Name: 'cb', Type: 'Callback', Arguments: {} }]))).toBe(
      "Callback step 'cb' has no SqsQueueUrl",
    );
    expect(
      rejection(
        definition([{ Name: 'cb', Type: 'Callback', SqsQueueUrl: 5 as unknown as string }]),
      ),
    ).toBe("Callback step 'cb': SqsQueueUrl must be a string or an expression, got 5");
    const byParameter = definition(
      [{ Name: 'cb', Type: 'Callback', SqsQueueUrl: { Get: 'Parameters.Q' } }],
      [{ Name: 'Q', Type: 'String', DefaultValue: 'https://sqs.us-east-1.amazonaws.com/1/q' }],
    );
    expect(compileDefinition(byParameter).steps.size).toBe(1);
  });

  it('rejects unknown condition types and malformed conditions, naming the step', () => {
    const condition = (c: Json) =>
      definition([{ Name: 'c', Type: 'Condition', Arguments: { Conditions: [c] } }]);
    expect(rejection(condition({ Type: 'Between', LeftValue: 1, RightValue: 2 }))).toBe(
      "step 'c': unknown condition type 'Between' (known: Equals, NotEquals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, In, NotIn, Not, Or)",
    );
    expect(
      rejection(
        condition({ Type: 'Or', Conditions: [{ Type: 'Equals', LeftValue: 1, Right: 2 }] }),
      ),
    ).toBe(
      "step 'c': Cannot parse object, unknown property 'Right' in a Equals condition (it takes Type, LeftValue, RightValue)",
    );
    expect(rejection(condition({ Type: 'GreaterThan', LeftValue: 1 }))).toBe(
      "step 'c': a GreaterThan condition needs RightValue",
    );
    expect(rejection(condition({ Type: 'In', QueryValue: 1, Values: 2 }))).toBe(
      "step 'c': a In condition needs a list of Values",
    );
    expect(rejection(condition({ Type: 'Not', Condition: { Type: 'Nope' } }))).toMatch(
      /^step 'c': unknown condition type 'Nope'/,
    );
    expect(rejection(condition({ Type: 'constructor' }))).toMatch(
      /^step 'c': unknown condition type 'constructor'/,
    );
    expect(rejection(definition([{ Name: 's', Type: 'toString' }]))).toMatch(
      /^step 's' has unknown Type 'toString'/,
    );
    expect(rejection(condition('Equals'))).toBe(
      `step 'c': a condition must be an object with a Type, got "Equals"`,
    );
    // The schema's spelling of In (Value, In) and its NotEquals / NotIn are accepted.
    const accepted: Json[] = [
      { Type: 'In', Value: 1, In: [1] },
      { Type: 'NotIn', QueryValue: 1, Values: [2] },
      { Type: 'NotEquals', LeftValue: 1, RightValue: 2 },
    ];
    for (const each of accepted) {
      expect(compileDefinition(condition(each)).steps.size).toBe(1);
    }
  });

  it('rejects a Condition step that depends on a Fail step, and only that', () => {
    const text = (type: 'Condition' | 'Lambda') =>
      definition([
        { Name: 'stop', Type: 'Fail', Arguments: { ErrorMessage: 'x' } },
        type === 'Condition'
          ? { Name: 'check', Type: 'Condition', Arguments: { Conditions: [] }, DependsOn: ['stop'] }
          : lambdaStep('check', 'f', {}, {}, { DependsOn: ['stop'] }),
      ]);
    expect(rejection(text('Condition'))).toBe(
      "CondStep can not depends on FailStep: Condition step 'check' depends on Fail step 'stop'",
    );
    expect(compileDefinition(text('Lambda')).steps.size).toBe(2);
  });

  it('checks a 10,000-step chain, and rejects one closed into a cycle', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) =>
      lambdaStep(`s${i}`, 'f', {}, {}, i === 0 ? {} : { DependsOn: [`s${i - 1}`] }),
    );
    expect(compileDefinition(definition(chain)).steps.size).toBe(10_000);
    const closed = [
      { ...chain[0], DependsOn: ['s9999'] } as (typeof chain)[number],
      ...chain.slice(1),
    ];
    const message = rejection(definition(closed));
    expect(message).toMatch(
      /^steps form a cycle: s0 -> s9999 -> s9998 -> .* -> \.\.\. \(10000 steps in all\)$/,
    );
    // The ring is named by its first steps and counted, not listed whole.
    expect(message.length).toBeLessThan(400);
  });

  it('rejects a definition nested too deeply to analyse', () => {
    const deep = `{"Version":"2020-12-01","Steps":[{"Name":"a","Type":"Lambda","FunctionArn":"f","Arguments":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    expect(rejection(deep)).toMatch(/nests too deeply|not valid JSON/);
  });

  it('accepts the public GeoSpatialPipeline.json definition', () => {
    const compiled = compileDefinition(
      readFileSync(
        new URL('../../fixtures/sagemaker/GeoSpatialPipeline.json', import.meta.url),
        'utf8',
      ),
    );
    expect([...compiled.steps.keys()]).toEqual([
      'vej-processing-step',
      'vej-callback-step',
      'export-vej-step',
      'export-vej-callback',
    ]);
  });
});
