import { describe, expect, it } from 'vitest';
import { loadPackagedTemplate } from '../../support/template/packaged-template';

describe('fan-in in the packaged template', () => {
  const template = loadPackagedTemplate();
  const resource = (id: string) => template.Resources[id];

  it('has a callback queue with a dead-letter queue, consumed by batch-callback with partial failures', () => {
    expect(resource('BatchCallbackQueue')?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['BatchCallbackDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    const mapping = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties?.EventSourceArn).includes('BatchCallbackQueue'),
    );
    expect(mapping?.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(JSON.stringify(mapping?.Properties?.FunctionName)).toContain(
      'BatchDashcallbackLambdaFunction',
    );
    expect(template.Outputs?.BatchQueueUrl?.Value).toEqual({ Ref: 'BatchCallbackQueue' });
  });

  it('creates an encrypted results bucket that is never public, and limits writes to the prefix', () => {
    expect(resource('BatchResultsBucket')?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const role = resource('BatchCallbackRole')?.Properties as {
      Policies: Array<{
        PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> };
      }>;
    };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const s3 = statements.find((s) => s.Action.includes('s3:PutObject'));
    expect(s3?.Resource).toEqual({ 'Fn::Sub': `\${BatchResultsBucket.Arn}/batch-results/*` });
    const environment = resource('BatchDashcallbackLambdaFunction')?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(environment.Variables).toMatchObject({
      BATCH_RESULTS_BUCKET: { Ref: 'BatchResultsBucket' },
      BATCH_RESULTS_PREFIX: 'batch-results',
    });
  });

  it('routes redrive and stop to batch-api, signed with SigV4', () => {
    const routes = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => [r.Properties?.RouteKey, r.Properties?.AuthorizationType]);
    expect(routes).toEqual(
      expect.arrayContaining([
        ['POST /batches/{batchId}/redrive', 'AWS_IAM'],
        ['POST /batches/{batchId}/stop', 'AWS_IAM'],
      ]),
    );
  });
});
