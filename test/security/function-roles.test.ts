import { describe, expect, it } from 'vitest';
import {
  type CfnResource,
  loadPackagedTemplate,
  resourcesOfType,
} from '../support/template/packaged-template';

/**
 * What each function may do, declared here independently of serverless/*.cjs: the packaged
 * template must grant each function's role exactly these actions on exactly these
 * resources, and nothing else (issue 14, point 1).
 */
type Resources =
  | 'own-log-group'
  | 'pipelines'
  | 'pipelines-and-executions'
  | 'executions'
  | 'parent-executions'
  | 'results'
  | 'ledger'
  | string;
interface Grant {
  actions: string[];
  resources: Resources;
}

const LOGS: Grant = {
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resources: 'own-log-group',
};
const LEDGER: Grant = {
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  resources: 'ledger',
};
/** Any batch function may end a batch: it answers the Callback step and writes the results. */
const FAN_IN: Grant[] = [
  {
    actions: [
      'sagemaker:SendPipelineExecutionStepFailure',
      'sagemaker:SendPipelineExecutionStepSuccess',
    ],
    resources: 'parent-executions',
  },
  { actions: ['s3:AbortMultipartUpload', 's3:PutObject'], resources: 'results' },
];
const FAN_OUT: Grant = {
  actions: [
    'sagemaker:DescribePipeline',
    'sagemaker:ListPipelineExecutions',
    'sagemaker:StartPipelineExecution',
  ],
  resources: 'pipelines',
};

/** Every batch function keeps the ledger and may end a batch. */
const BATCH: Grant[] = [LOGS, LEDGER, ...FAN_IN];
const STARTS: Grant = { actions: ['sagemaker:StartPipelineExecution'], resources: 'pipelines' };
const STOPS: Grant = { actions: ['sagemaker:StopPipelineExecution'], resources: 'executions' };
/** Starts children and reads how they ended. */
const FOLLOWS: Grant = {
  actions: ['sagemaker:DescribePipelineExecution', 'sagemaker:StartPipelineExecution'],
  resources: 'pipelines-and-executions',
};
/** The function is `queue`'s event source. */
const consumes = (queue: string): Grant => ({
  actions: [
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:ReceiveMessage',
  ],
  resources: `queue:${queue}`,
});
/** The function sends failed requests to `queue`. */
const sendsTo = (queue: string): Grant => ({
  actions: ['sqs:SendMessage'],
  resources: `queue:${queue}`,
});

const MAY: Record<string, { name: string; grants: Grant[] }> = {
  ConcatLambdaFunction: { name: 'concat', grants: [LOGS] },
  InspectDashitemsLambdaFunction: { name: 'inspect-items', grants: [LOGS] },
  PlanDashbatchesLambdaFunction: { name: 'plan-batches', grants: [LOGS] },
  FanDashoutLambdaFunction: { name: 'fan-out', grants: [LOGS, FAN_OUT] },
  FanDashoutDashapiLambdaFunction: { name: 'fan-out-api', grants: [LOGS, FAN_OUT] },
  FanDashoutDashscheduleLambdaFunction: {
    name: 'fan-out-schedule',
    grants: [LOGS, FAN_OUT, sendsTo('FanOutFailedRequestsQueue')],
  },
  BatchDashapiLambdaFunction: { name: 'batch-api', grants: [...BATCH, STARTS, STOPS] },
  BatchDasheventsLambdaFunction: {
    name: 'batch-events',
    grants: [...BATCH, FOLLOWS, consumes('BatchEventsQueue')],
  },
  BatchDashreconcileLambdaFunction: { name: 'batch-reconcile', grants: [...BATCH, FOLLOWS, STOPS] },
  BatchDashsubmitLambdaFunction: {
    name: 'batch-submit',
    grants: [...BATCH, STARTS, sendsTo('BatchSubmitFailedRequestsQueue')],
  },
  BatchDashcallbackLambdaFunction: {
    name: 'batch-callback',
    grants: [...BATCH, STARTS, STOPS, consumes('BatchCallbackQueue')],
  },
};

/** The allowedPipelines default of serverless.yml, in both spellings SageMaker ARNs use. */
const PIPELINES = ['child-pipeline-1', 'child-pipeline-2'];
const sagemakerArn = (resource: string) =>
  `{"Fn::Sub":"arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:${resource}"}`;

const resourceTexts = (resources: Resources, functionName: string): string[] => {
  switch (resources) {
    case 'own-log-group':
      return [
        `{"Fn::Sub":"arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/sagemaker-pipeline-lambdas-dev-${functionName}:*"}`,
      ];
    case 'pipelines':
      return PIPELINES.map((p) => sagemakerArn(`pipeline/${p}`));
    case 'pipelines-and-executions':
      return PIPELINES.flatMap((p) => [
        sagemakerArn(`pipeline/${p}`),
        sagemakerArn(`pipeline/${p}/execution/*`),
      ]);
    case 'executions':
      return PIPELINES.map((p) => sagemakerArn(`pipeline/${p}/execution/*`));
    case 'parent-executions':
      return [sagemakerArn('pipeline/*/execution/*')];
    case 'results':
      return [`{"Fn::Sub":"\${BatchResultsBucket.Arn}/batch-results/*"}`];
    case 'ledger':
      return [
        '{"Fn::GetAtt":["BatchLedgerTable","Arn"]}',
        `{"Fn::Sub":"\${BatchLedgerTable.Arn}/index/*"}`,
      ];
    default:
      return [`{"Fn::GetAtt":["${resources.replace(/^queue:/, '')}","Arn"]}`];
  }
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

/** A statement as sorted `action -> resource` pairs, the unit both sides are compared in. */
const pairs = (actions: string[], resources: string[]) =>
  actions.flatMap((action) => resources.map((resource) => `${action} -> ${resource}`));

const grantedPairs = (role: CfnResource): string[] => {
  const policies = (role.Properties?.Policies ?? []) as Array<{
    PolicyDocument?: { Statement?: Statement[] };
  }>;
  return policies
    .flatMap((policy) => policy.PolicyDocument?.Statement ?? [])
    .flatMap((statement) => {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      return pairs(
        [statement.Action ?? []].flat(),
        [statement.Resource ?? []].flat().map((r) => JSON.stringify(r)),
      );
    })
    .sort();
};

describe('packaged template: one least-privilege role per function', () => {
  const template = loadPackagedTemplate();
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  const roles = resourcesOfType(template, 'AWS::IAM::Role');

  it('declares every function of the template in the table, and no other', () => {
    expect(functions.map(([id]) => id).sort()).toEqual(Object.keys(MAY).sort());
  });

  it('gives each function a role of its own, and leaves no shared role', () => {
    const roleIds = functions.map(([, fn]) => {
      const role = fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      return role?.['Fn::GetAtt']?.[0];
    });
    expect(roleIds.every((id) => id !== undefined)).toBe(true);
    expect(new Set(roleIds).size).toBe(functions.length);
    expect(roles.map(([id]) => id).sort()).toEqual([...roleIds].sort());
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  for (const [functionId, { name, grants }] of Object.entries(MAY)) {
    it(`lets ${name} do only what the table says`, () => {
      const fn = template.Resources[functionId];
      const roleRef = fn?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const role = template.Resources[roleRef?.['Fn::GetAtt']?.[0] ?? ''] as CfnResource;
      expect(role?.Type).toBe('AWS::IAM::Role');
      const expected = grants
        .flatMap((grant) => pairs(grant.actions, resourceTexts(grant.resources, name)))
        .sort();
      expect(grantedPairs(role)).toEqual(expected);
      // Outside a VPC no managed policy either: nothing beyond the table.
      expect(role.Properties?.ManagedPolicyArns ?? []).toEqual([]);
      expect(role.Properties?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      });
    });
  }

  it('has no IAM policy outside the roles', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(resourcesOfType(template, 'AWS::IAM::ManagedPolicy')).toEqual([]);
  });
});

describe('packaged template: operations', () => {
  const template = loadPackagedTemplate();
  const reserved: Record<string, unknown> = Object.fromEntries(
    resourcesOfType(template, 'AWS::Lambda::Function').map(([id, fn]) => [
      id,
      fn.Properties?.ReservedConcurrentExecutions,
    ]),
  );

  it('reserves concurrency for every function, from the deploy parameters', () => {
    expect(reserved).toEqual({
      ConcatLambdaFunction: 10,
      InspectDashitemsLambdaFunction: 10,
      PlanDashbatchesLambdaFunction: 10,
      FanDashoutLambdaFunction: 5,
      FanDashoutDashapiLambdaFunction: 10,
      FanDashoutDashscheduleLambdaFunction: 2,
      BatchDashapiLambdaFunction: 10,
      BatchDasheventsLambdaFunction: 20,
      BatchDashreconcileLambdaFunction: 1,
      BatchDashsubmitLambdaFunction: 2,
      BatchDashcallbackLambdaFunction: 5,
    });
  });

  it('reserves at least as much concurrency as each SQS event source may use at once', () => {
    // Lambda's SQS guide: a maximum concurrency above the function's reserved concurrency
    // makes the poller's invocations throttled.
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(
      ([, mapping]) => {
        const properties = mapping.Properties as {
          FunctionName: { 'Fn::GetAtt': [string, string] };
          ScalingConfig?: { MaximumConcurrency?: number };
        };
        const maximum = properties.ScalingConfig?.MaximumConcurrency;
        return maximum === undefined
          ? []
          : [{ functionId: properties.FunctionName['Fn::GetAtt'][0], maximum }];
      },
    );
    expect(mappings.length).toBeGreaterThan(0);
    for (const { functionId, maximum } of mappings) {
      expect({ functionId, reserved: Number(reserved[functionId]) >= maximum }).toEqual({
        functionId,
        reserved: true,
      });
    }
  });

  it('throttles every HTTP API route and writes access logs with the caller', () => {
    const stages = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties as {
      DefaultRouteSettings: Record<string, number>;
      AccessLogSettings: { DestinationArn: unknown; Format: string };
    };
    expect(stage.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      caller: '$context.identity.userArn',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(template.Resources.HttpApiLogGroup?.Type).toBe('AWS::Logs::LogGroup');
  });

  it('requires AWS_IAM on every route', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual([
      'GET /batches/{batchId}',
      'GET /batches/{batchId}/executions',
      'GET /fan-outs/{batchId}',
      'POST /batches',
      'POST /batches/{batchId}/redrive',
      'POST /batches/{batchId}/stop',
      'POST /fan-outs',
    ]);
    for (const [, route] of routes) expect(route.Properties?.AuthorizationType).toBe('AWS_IAM');
  });

  it('alarms on every failure and dead-letter queue, to the operations topic', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) => /Failed|DeadLetter/.test(id))
      .sort();
    expect(queues).toEqual([
      'BatchCallbackDeadLetterQueue',
      'BatchEventsDeadLetterQueue',
      'BatchSubmitFailedRequestsQueue',
      'FanOutFailedRequestsQueue',
    ]);
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const queue of queues) {
      const alarm = alarms.find(
        (a) =>
          JSON.stringify(a?.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]),
      );
      expect(alarm, queue).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'OperationsAlarmTopic' }],
      });
    }
    expect(template.Resources.OperationsAlarmTopic?.Type).toBe('AWS::SNS::Topic');
  });
});
