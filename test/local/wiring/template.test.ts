import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  functionLogicalId,
  loadServerlessTemplate,
  resolveIntrinsics,
} from '../../../local/wiring/template';

const account = { region: 'eu-west-1', accountId: '111122223333' };

const project = (yaml: string, files: Record<string, string> = {}) => {
  const root = mkdtempSync(join(tmpdir(), 'template-'));
  writeFileSync(join(root, 'serverless.yml'), yaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
};

describe('serverless.yml as local mode reads it', () => {
  it('resolves variables, files, anchors and short CloudFormation tags', async () => {
    const root = project(
      `service: svc
params:
  default:
    limit: 15
    names: a,b
functions:
  one:
    environment: &shared
      TABLE: !Ref Ledger
      LIMIT: \${param:limit}
      LABEL: \${self:service}-\${sls:stage}-x
      QUEUE_ARN: !GetAtt Queue.Arn
      SUBBED: !Sub "arn:\${AWS::Partition}:s3:::\${AWS::AccountId}-\${Queue.QueueName}"
  two:
    environment: *shared
resources:
  Resources:
    Ledger: \${file(./table.json)}
    Queue:
      Type: AWS::SQS::Queue
    Rule: \${file(./rule.cjs):rule}
`,
      {
        'table.json': '{"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "ledger-x"}}',
        'rule.cjs':
          'module.exports.rule = async ({ resolveVariable }) => ({ Type: "AWS::Events::Rule", Properties: { Description: await resolveVariable("param:names") } });',
      },
    );
    const template = await loadServerlessTemplate({ root, stage: 'test', params: { limit: '20' } });
    expect(template.service).toBe('svc');
    expect(template.resources.Rule).toEqual({
      Type: 'AWS::Events::Rule',
      Properties: { Description: 'a,b' },
    });
    expect(
      resolveIntrinsics(template.functions.two?.environment ?? null, template, account),
    ).toEqual({
      TABLE: 'ledger-x',
      LIMIT: '20',
      LABEL: 'svc-test-x',
      QUEUE_ARN: 'arn:aws:sqs:eu-west-1:111122223333:Queue',
      SUBBED: 'arn:aws:s3:::111122223333-Queue',
    });
  });

  it('names function logical ids as the framework does', () => {
    expect(functionLogicalId('batch-events')).toBe('BatchDasheventsLambdaFunction');
    expect(functionLogicalId('concat')).toBe('ConcatLambdaFunction');
  });
});
