import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  type CfnTemplate,
  loadPackagedTemplate,
  resourcesOfType,
} from '../support/template/packaged-template';

const functionsDir = resolve(import.meta.dirname, '..', '..', 'functions');

/** Every `functions/<name>/handler.ts`, by name: whatever functions exist, fan-out included. */
const handlerNames = readdirSync(functionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => existsSync(resolve(functionsDir, name, 'handler.ts')))
  .sort();

let template: CfnTemplate;
let functions: Array<[string, CfnResource]>;

beforeAll(() => {
  template = loadPackagedTemplate();
  functions = resourcesOfType(template, 'AWS::Lambda::Function');
});

/** The Lambda function resource whose handler is `functions/<name>/handler.handler`. */
const functionFor = (name: string): Array<[string, CfnResource]> =>
  functions.filter(
    ([, resource]) => resource.Properties?.Handler === `functions/${name}/handler.handler`,
  );

describe('packaged CloudFormation template', () => {
  it('finds the handlers it checks', () => {
    expect(handlerNames).toEqual(
      expect.arrayContaining(['concat', 'inspect-items', 'plan-batches']),
    );
  });

  it.each(handlerNames)('has exactly one function for the %s handler', (name) => {
    expect(functionFor(name)).toHaveLength(1);
  });

  it('has no function whose handler is not in functions/', () => {
    const handlers = functions.map(([, resource]) => resource.Properties?.Handler);
    expect(handlers.sort()).toEqual(
      handlerNames.map((name) => `functions/${name}/handler.handler`).sort(),
    );
  });

  it.each(handlerNames)('runs %s on nodejs24.x on arm64', (name) => {
    const [[, resource] = ['', { Type: '' }]] = functionFor(name);
    expect(resource.Properties?.Runtime).toBe('nodejs24.x');
    expect(resource.Properties?.Architectures).toEqual(['arm64']);
  });

  it.each(handlerNames)('tags %s with pipeline-cost-tag for Cost Explorer', (name) => {
    const [[, resource] = ['', { Type: '' }]] = functionFor(name);
    const tags = (resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: unknown }>;
    const costTag = tags.filter((tag) => tag.Key === 'pipeline-cost-tag');
    expect(costTag).toHaveLength(1);
    expect(costTag[0]?.Value).toBe('sagemaker-pipeline-lambdas');
  });

  it.each(handlerNames)('outputs the ARN of %s for pipeline definitions', (name) => {
    const [[logicalId] = ['']] = functionFor(name);
    const arnOutputs = Object.values(template.Outputs ?? {}).filter(
      (output) =>
        JSON.stringify(output.Value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
    );
    expect(arnOutputs).toHaveLength(1);
    expect(arnOutputs[0]?.Description).toContain(name);
  });

  it.each(handlerNames)('packages %s on its own, outside any VPC by default', (name) => {
    const [[, resource] = ['', { Type: '' }]] = functionFor(name);
    const code = resource.Properties?.Code as { S3Key?: string } | undefined;
    expect(code?.S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
    expect(resource.Properties).not.toHaveProperty('VpcConfig');
  });
});
