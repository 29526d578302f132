import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DERIVED_MODEL_PATH, renderDerivedModel } from '../../../local/api/generate-model';
import { apiModel } from '../../../local/api/model';
import { anchoredPattern, validateInput } from '../../../local/api/validate';
import { SUPPORTED_OPERATIONS } from '../../../local/operations';

function messageOf(operation: string, input: unknown): string {
  try {
    validateInput(operation, input);
  } catch (error) {
    return `${(error as { type: string }).type}: ${(error as Error).message}`;
  }
  return 'valid';
}

describe('API model', () => {
  it('is derived from the SageMaker fixture model without drift (regenerate: npx tsx local/api/generate-model.ts)', () => {
    expect(JSON.parse(readFileSync(DERIVED_MODEL_PATH, 'utf8'))).toEqual(
      JSON.parse(renderDerivedModel()),
    );
  });

  it('holds every operation the runtime serves', () => {
    for (const operation of SUPPORTED_OPERATIONS)
      expect(apiModel.operations[operation]?.input).toBeTruthy();
  });

  it('anchors patterns at both ends', () => {
    const pipelineName = anchoredPattern(apiModel.shapes.PipelineName?.pattern as string);
    expect(pipelineName.test('a-b')).toBe(true);
    expect(pipelineName.test('a-b-')).toBe(false);
    expect(pipelineName.test('-a')).toBe(false);
    const executionArn = anchoredPattern(apiModel.shapes.PipelineExecutionArn?.pattern as string);
    expect(
      executionArn.test('arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x'),
    ).toBe(true);
    expect(
      executionArn.test('prefix arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x'),
    ).toBe(false);
  });

  it('checks a 1 MiB pipeline definition in linear time', () => {
    const big = `{"Version":"2020-12-01",${' '.repeat(1024 * 1024 - 100)}"x":1}`;
    const started = Date.now();
    expect(anchoredPattern(apiModel.shapes.PipelineDefinition?.pattern as string).test(big)).toBe(
      true,
    );
    expect(
      anchoredPattern(apiModel.shapes.PipelineDefinition?.pattern as string).test(`${big}\u2028`),
    ).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reports required members, lengths, list sizes and nested members the way SageMaker does', () => {
    expect(messageOf('StopPipelineExecution', {})).toBe(
      "ValidationException: 2 validation errors detected: Value null at 'pipelineExecutionArn' failed to satisfy constraint: Member must not be null; Value null at 'clientRequestToken' failed to satisfy constraint: Member must not be null",
    );
    expect(
      messageOf('StartPipelineExecution', {
        PipelineName: 'p',
        ClientRequestToken: 'x'.repeat(129),
        PipelineParameters: Array.from({ length: 201 }, (_, i) => ({ Name: `P${i}`, Value: 'v' })),
      }),
    ).toMatch(
      /^ValidationException: 2 validation errors detected: Value '\[\{"Name":"P0","Value":"v"\}.{150,}\.\.\.' at 'pipelineParameters' failed to satisfy constraint: Member must have length less than or equal to 200; Value 'x{129}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 128$/,
    );
    expect(
      messageOf('SendPipelineExecutionStepSuccess', {
        CallbackToken: 'abcdefghij',
        OutputParameters: [{ Name: 'x' }],
      }),
    ).toBe(
      "ValidationException: 1 validation error detected: Value null at 'outputParameters.1.member.value' failed to satisfy constraint: Member must not be null",
    );
    expect(messageOf('ListPipelineExecutions', { PipelineName: 'p', MaxResults: 0 })).toBe(
      "ValidationException: 1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(messageOf('ListPipelines', { CreatedAfter: 'yesterday' })).toBe(
      "SerializationException: Expected a timestamp at 'createdAfter', got yesterday",
    );
    expect(messageOf('ListPipelines', [])).toBe(
      "SerializationException: Expected an object at 'request', got []",
    );
    const many = messageOf('StartPipelineExecution', {
      PipelineName: 'p',
      ClientRequestToken: 'x'.repeat(40),
      PipelineParameters: Array.from({ length: 10_000 }, () => ({ Name: '', Value: 'v' })),
    });
    expect(many).toMatch(/^ValidationException: 10001 validation errors detected: /);
    expect(many).toMatch(/; and 9981 more$/);
    expect(many.length).toBeLessThan(10_000);
    expect(
      messageOf('DescribePipeline', {
        PipelineName: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p',
      }),
    ).toBe('valid');
  });
});
