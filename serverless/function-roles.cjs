// One IAM role per function that is not a batch function (those are in batch-iam.cjs), each
// allowed only what that function does: its own log group, and for the fan-out functions
// the SageMaker actions they call on the allowed pipelines (the allowedPipelines param).
// Never a bare "*". Actions and resource types from the Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon SageMaker": StartPipelineExecution,
// ListPipelineExecutions and DescribePipeline act on `pipeline`
// (arn:...:pipeline/<name>). The LambdaSteps (concat, inspect-items, plan-batches) call
// nothing: logs only. test/security/function-roles.test.ts checks the packaged roles
// against its own table of what each function may do.
const { sub, pipelineNames, logsStatement, lambdaRole } = require('./iam.cjs');

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
    const statements = [await logsStatement(resolveVariable, functionName)];
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
    return lambdaRole(resolveVariable, functionName, statements);
  };

module.exports = {
  concat: role('concat'),
  inspectItems: role('inspect-items'),
  planBatches: role('plan-batches'),
  fanOut: role('fan-out'),
  fanOutApi: role('fan-out-api'),
  fanOutSchedule: role('fan-out-schedule'),
};
