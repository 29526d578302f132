import { describe, expect, it } from 'vitest';
import { loadPackagedTemplate, resourcesOfType } from '../support/template/packaged-template';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

const template = loadPackagedTemplate();

/** Batches have resources of their own (test/batches/packaged-template.test.ts). */
const notBatches = ([id]: [string, unknown]) => !id.startsWith('Batch');

const statements = (): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Role')
    .filter(notBatches)
    .flatMap(([, role]) =>
      (
        (role.Properties?.Policies ?? []) as Array<{ PolicyDocument?: { Statement?: Statement[] } }>
      ).flatMap((policy) => policy.PolicyDocument?.Statement ?? []),
    );

const actionsOf = (statement: Statement): string[] => [statement.Action ?? []].flat();
const resourcesOf = (statement: Statement): unknown[] => [statement.Resource ?? []].flat();

describe('packaged template: fan-out', () => {
  it('grants the SageMaker actions of the fan-out, never on Resource "*"', () => {
    const sagemaker = statements().filter((s) => actionsOf(s).some((a) => /^sagemaker:/i.test(a)));
    expect(sagemaker.flatMap(actionsOf)).toEqual(
      expect.arrayContaining([
        'sagemaker:StartPipelineExecution',
        'sagemaker:ListPipelineExecutions',
        'sagemaker:DescribePipeline',
      ]),
    );
    for (const statement of sagemaker) {
      const resources = resourcesOf(statement);
      expect(resources.length).toBeGreaterThan(0);
      expect(resources).not.toContain('*');
      for (const resource of resources) {
        expect(JSON.stringify(resource)).toMatch(
          /:sagemaker:\$\{AWS::Region\}:\$\{AWS::AccountId\}:pipeline\/[^*"]/,
        );
      }
    }
  });

  it('requires AWS_IAM on every HTTP API route', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    const fanOutRoutes = routes.filter(([, r]) =>
      String(r.Properties?.RouteKey).includes('/fan-outs'),
    );
    expect(fanOutRoutes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual([
      'GET /fan-outs/{batchId}',
      'POST /fan-outs',
    ]);
    for (const [, route] of routes) expect(route.Properties?.AuthorizationType).toBe('AWS_IAM');
  });

  it('sends scheduled fan-outs that still fail after the retries to an SQS queue', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    const schedule = configs.find(
      ([, c]) =>
        JSON.stringify(c.Properties?.FunctionName) ===
        '{"Ref":"FanDashoutDashscheduleLambdaFunction"}',
    );
    expect(schedule).toBeDefined();
    const destination = (
      schedule?.[1].Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } }
    )?.OnFailure?.Destination as { 'Fn::GetAtt'?: [string, string] };
    const queueId = destination?.['Fn::GetAtt']?.[0] ?? '';
    expect(template.Resources[queueId]?.Type).toBe('AWS::SQS::Queue');
    // The function may send to that queue, and only to it.
    const send = statements().filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(send.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
  });

  it('gives each fan-out function the allow-list and the LambdaStep one a 600 s timeout', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const byId = Object.fromEntries(functions);
    for (const id of [
      'FanDashoutLambdaFunction',
      'FanDashoutDashapiLambdaFunction',
      'FanDashoutDashscheduleLambdaFunction',
    ]) {
      const variables = (
        byId[id]?.Properties?.Environment as { Variables?: Record<string, string> }
      )?.Variables;
      expect(variables?.FAN_OUT_ALLOWED_PIPELINES).toBe('child-pipeline-1,child-pipeline-2');
    }
    expect(byId.FanDashoutLambdaFunction?.Properties?.Timeout).toBe(600);
  });

  it('ships the example schedule disabled, with a transformer that sets the batch key', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(notBatches);
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.[1].Properties as {
      State: string;
      Targets: Array<{
        InputTransformer: { InputTemplate: string; InputPathsMap: Record<string, string> };
      }>;
    };
    expect(rule.State).toBe('DISABLED');
    const transformer = rule.Targets[0]?.InputTransformer;
    expect(transformer?.InputPathsMap).toEqual({ eventId: '$.id' });
    expect(JSON.parse(transformer?.InputTemplate.replace('<eventId>', 'e-1') ?? '')).toMatchObject({
      batchKey: 'e-1',
      pipelines: ['child-pipeline-1'],
    });
  });

  it('outputs the fan-out function ARN and the API URL', () => {
    expect(template.Outputs?.FanDashoutFunctionArn?.Value).toEqual({
      'Fn::GetAtt': ['FanDashoutLambdaFunction', 'Arn'],
    });
    expect(template.Outputs?.FanOutApiUrl?.Value).toEqual({
      'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'],
    });
  });
});
