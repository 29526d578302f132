import { describe, expect, it } from 'vitest';
import { type CfnTemplate, loadPackagedTemplate } from '../support/template/packaged-template';
import { tableResource } from './support/table';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const statementsOf = (template: CfnTemplate, roleId: string): Statement[] => {
  const role = template.Resources[roleId];
  const policies = (role?.Properties?.Policies ?? []) as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat()).sort();

const BATCH_FUNCTIONS = {
  BatchDashapiLambdaFunction: 'BatchApiRole',
  BatchDasheventsLambdaFunction: 'BatchEventsRole',
  BatchDashreconcileLambdaFunction: 'BatchReconcileRole',
  BatchDashsubmitLambdaFunction: 'BatchSubmitRole',
  BatchDashcallbackLambdaFunction: 'BatchCallbackRole',
} as const;

describe('batches in the packaged template', () => {
  const template = loadPackagedTemplate();

  it('creates the ledger table from the one definition tests and local mode use', () => {
    expect(template.Resources.BatchLedgerTable).toEqual(tableResource());
    expect(tableResource().Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('gives each batch function its own role', () => {
    for (const [functionId, roleId] of Object.entries(BATCH_FUNCTIONS)) {
      expect(template.Resources[functionId]?.Properties?.Role).toEqual({
        'Fn::GetAtt': [roleId, 'Arn'],
      });
    }
  });

  it('lets each role do only what its function does, never on Resource "*"', () => {
    const expected: Record<string, string[]> = {
      BatchApiRole: ['sagemaker:StartPipelineExecution', 'sagemaker:StopPipelineExecution'],
      BatchEventsRole: [
        'sagemaker:DescribePipelineExecution',
        'sagemaker:StartPipelineExecution',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
      BatchReconcileRole: [
        'sagemaker:DescribePipelineExecution',
        'sagemaker:StartPipelineExecution',
        'sagemaker:StopPipelineExecution',
      ],
      BatchSubmitRole: ['sagemaker:StartPipelineExecution', 'sqs:SendMessage'],
      BatchCallbackRole: [
        'sagemaker:StartPipelineExecution',
        'sagemaker:StopPipelineExecution',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    };
    const common = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      // Any batch function may end a batch: it answers the Callback step and writes results.
      's3:AbortMultipartUpload',
      's3:PutObject',
      'sagemaker:SendPipelineExecutionStepFailure',
      'sagemaker:SendPipelineExecutionStepSuccess',
    ];
    for (const [roleId, actions] of Object.entries(expected)) {
      const statements = statementsOf(template, roleId);
      expect(actionsOf(statements)).toEqual([...common, ...actions].sort());
      for (const statement of statements) {
        expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|:\*"$/);
        expect([statement.Resource].flat()).not.toContain('*');
      }
    }
    const queueGrant = statementsOf(template, 'BatchEventsRole').find((s) =>
      [s.Action].flat().includes('sqs:ReceiveMessage'),
    );
    expect(queueGrant?.Resource).toEqual({ 'Fn::GetAtt': ['BatchEventsQueue', 'Arn'] });
  });

  it('leaves the shared role no access to the batch events queue', () => {
    expect(JSON.stringify(statementsOf(template, 'IamRoleLambdaExecution'))).not.toContain(
      'BatchEventsQueue',
    );
  });

  it('routes ended executions of the allowed pipelines to a queue with a dead-letter queue', () => {
    const rule = template.Resources.BatchChildStatusRule?.Properties as {
      EventPattern: Record<string, unknown>;
      Targets: unknown[];
    };
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      detail: { currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] },
    });
    expect(JSON.stringify(rule.EventPattern)).toContain('pipeline/child-pipeline-1');
    expect(rule.Targets).toEqual([
      { Id: 'batch-events-queue', Arn: { 'Fn::GetAtt': ['BatchEventsQueue', 'Arn'] } },
    ]);
    expect(template.Resources.BatchEventsQueue?.Properties?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['BatchEventsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    const mapping = Object.values(template.Resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties?.EventSourceArn).includes('BatchEventsQueue'),
    );
    expect(mapping?.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('runs the reconciler every 5 minutes by default', () => {
    const schedule = template.Resources.BatchDashreconcileEventsRuleSchedule1?.Properties;
    expect(schedule?.ScheduleExpression).toBe('rate(5 minutes)');
  });

  it('passes the account budget to every batch function', () => {
    for (const functionId of Object.keys(BATCH_FUNCTIONS)) {
      const environment = template.Resources[functionId]?.Properties?.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      const variables = environment?.Variables;
      expect(variables).toMatchObject({
        BATCH_ACCOUNT_CONCURRENCY_LIMIT: '15',
        BATCH_TABLE_NAME: { Ref: 'BatchLedgerTable' },
      });
    }
  });
});
