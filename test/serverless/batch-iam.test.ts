import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Statement = { Action: string[]; Resource: unknown };
type RoleBuilder = (input: {
  resolveVariable: (name: string) => Promise<string | undefined>;
}) => Promise<{ Properties: { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } }>;

const iam = createRequire(import.meta.url)('../../serverless/batch-iam.cjs') as Record<
  string,
  RoleBuilder
>;

const statementsOf = async (builder: RoleBuilder | undefined, itemSourceBuckets: string) => {
  const params: Record<string, string> = {
    'self:service': 'sagemaker-pipeline-lambdas',
    'sls:stage': 'dev',
    'param:allowedPipelines': 'child-pipeline-1',
    'param:subnetIds': '',
    'param:itemSourceBuckets': itemSourceBuckets,
  };
  if (builder === undefined) throw new Error('no such role');
  const role = await builder({ resolveVariable: async (name) => params[name] ?? '' });
  return role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

const s3Arn = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resource}` });

const s3Statements = (statements: Statement[]) =>
  statements.filter((statement) =>
    statement.Action.some((action) => action === 's3:GetObject' || action === 's3:ListBucket'),
  );

describe('the batch roles read item sources', () => {
  it('lets batch-api, batch-submit and batch-callback read the itemSourceBuckets and list them, nothing more', async () => {
    for (const builder of [iam.apiRole, iam.submitRole, iam.callbackRole]) {
      expect(s3Statements(await statementsOf(builder, 'items-bucket, other.bucket'))).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: [s3Arn('items-bucket/*'), s3Arn('other.bucket/*')],
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: [s3Arn('items-bucket'), s3Arn('other.bucket')],
        },
      ]);
    }
  });

  it('grants no S3 read to the other batch functions, nor to any when the param is empty', async () => {
    for (const builder of [iam.eventsRole, iam.reconcileRole]) {
      expect(s3Statements(await statementsOf(builder, 'items-bucket'))).toEqual([]);
    }
    expect(s3Statements(await statementsOf(iam.apiRole, ''))).toEqual([]);
  });

  it('refuses a value that is not a bucket name (never a wildcard)', async () => {
    await expect(statementsOf(iam.apiRole, '*')).rejects.toThrow(/itemSourceBuckets must be/);
    await expect(statementsOf(iam.apiRole, 'Items_Bucket')).rejects.toThrow(/itemSourceBuckets/);
  });
});
