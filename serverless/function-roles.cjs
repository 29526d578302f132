// One IAM role per function that is not a batch function (those are in batch-iam.cjs), each
// allowed only what that function does: its own log group, and for the fan-out functions
// the SageMaker actions they call on the allowed pipelines (the allowedPipelines param).
// Never a bare "*". Actions and resource types from the Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon SageMaker": StartPipelineExecution,
// ListPipelineExecutions and DescribePipeline act on `pipeline`
// (arn:...:pipeline/<name>). The LambdaSteps (concat, inspect-items, plan-batches) call
// nothing: logs only. test/security/function-roles.test.ts checks the packaged roles
// against its own table of what each function may do.
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

const list = (text) =>
  String(text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

const sub = (text) => ({ 'Fn::Sub': text });

/** The allowed pipeline names (both spellings: SageMaker ARNs carry them in lower case), or ['*']. */
const pipelineNames = async (resolveVariable) => {
  const entries = list(await resolveVariable('param:allowedPipelines'));
  if (entries.length === 1 && entries[0] === '*') return ['*'];
  for (const entry of entries) {
    if (!NAME.test(entry)) {
      throw new Error(
        `allowedPipelines must be comma-separated pipeline names or a lone *, got ${JSON.stringify(entry)}`,
      );
    }
  }
  return [...new Set(entries.flatMap((name) => [name, name.toLowerCase()]))];
};

const FAN_OUT_ACTIONS = [
  'sagemaker:StartPipelineExecution',
  'sagemaker:ListPipelineExecutions',
  'sagemaker:DescribePipeline',
];

/** What each function may do beyond writing its own logs. */
const FUNCTIONS = {
  concat: {},
  'inspect-items': {},
  'plan-batches': {},
  'fan-out': { sagemaker: FAN_OUT_ACTIONS },
  'fan-out-api': { sagemaker: FAN_OUT_ACTIONS },
  // Its asynchronous invocations' on-failure destination is a queue it sends to.
  'fan-out-schedule': {
    sagemaker: FAN_OUT_ACTIONS,
    queue: { logicalId: 'FanOutFailedRequestsQueue', actions: ['sqs:SendMessage'] },
  },
};

const role =
  (functionName) =>
  async ({ resolveVariable }) => {
    const spec = FUNCTIONS[functionName];
    const service = await resolveVariable('self:service');
    const stage = await resolveVariable('sls:stage');
    const vpc = list(await resolveVariable('param:subnetIds')).length > 0;
    const statements = [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: sub(
          `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${functionName}:*`,
        ),
      },
    ];
    if (spec.sagemaker) {
      const names = await pipelineNames(resolveVariable);
      if (names.length > 0) {
        statements.push({
          Effect: 'Allow',
          Action: spec.sagemaker,
          Resource: names.map((name) =>
            sub(
              `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:pipeline/${name}`,
            ),
          ),
        });
      }
    }
    if (spec.queue) {
      statements.push({
        Effect: 'Allow',
        Action: spec.queue.actions,
        Resource: { 'Fn::GetAtt': [spec.queue.logicalId, 'Arn'] },
      });
    }
    return {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        // In a VPC, Lambda needs to manage the function's network interfaces.
        ManagedPolicyArns: vpc
          ? [
              sub(
                `arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
              ),
            ]
          : [],
        Policies: [
          {
            PolicyName: functionName,
            PolicyDocument: { Version: '2012-10-17', Statement: statements },
          },
        ],
      },
    };
  };

module.exports = {
  concat: role('concat'),
  inspectItems: role('inspect-items'),
  planBatches: role('plan-batches'),
  fanOut: role('fan-out'),
  fanOutApi: role('fan-out-api'),
  fanOutSchedule: role('fan-out-schedule'),
};
