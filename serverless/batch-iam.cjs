// One IAM role per batch function, each allowed only what that function does: its own log
// group, the ledger table (and its index), its own queue, and the SageMaker actions it
// calls on the allowed pipelines (the allowedPipelines param, as the fan-out's IAM reads
// it). Never a bare "*". Actions and resource types from the Service Authorization
// Reference: StartPipelineExecution acts on `pipeline`, DescribePipelineExecution on
// `pipeline-execution` (arn:...:pipeline/<name>/execution/<id>); DynamoDB item and query
// actions on `table` and `index`; SQS actions on `queue`.
const { list, sub, pipelineNames, logsStatement, lambdaRole } = require('./iam.cjs');

const sageMakerArn = (resource) =>
  sub(`arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
];

/** What each function may do beyond its logs: SageMaker actions and queue access. */
const FUNCTIONS = {
  'batch-api': { sagemaker: ['sagemaker:StartPipelineExecution'], stop: true },
  'batch-events': {
    sagemaker: ['sagemaker:StartPipelineExecution', 'sagemaker:DescribePipelineExecution'],
    queue: {
      logicalId: 'BatchEventsQueue',
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
    },
  },
  'batch-reconcile': {
    sagemaker: ['sagemaker:StartPipelineExecution', 'sagemaker:DescribePipelineExecution'],
    stop: true,
  },
  'batch-submit': {
    sagemaker: ['sagemaker:StartPipelineExecution'],
    queue: { logicalId: 'BatchSubmitFailedRequestsQueue', actions: ['sqs:SendMessage'] },
  },
  'batch-callback': {
    sagemaker: ['sagemaker:StartPipelineExecution'],
    stop: true,
    queue: {
      logicalId: 'BatchCallbackQueue',
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
    },
  },
};

/**
 * Every batch function may end a batch (the last child's event, a reconcile pass, a stop, a
 * submission whose children all fail at once), and ending one answers its Callback step and
 * writes its results manifest.
 */
const ANSWER_ACTIONS = [
  'sagemaker:SendPipelineExecutionStepSuccess',
  'sagemaker:SendPipelineExecutionStepFailure',
];
const RESULTS_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * The functions that submit batches read `itemsFrom` sources: GetObject (HeadObject and ranged
 * reads need it) on the objects and ListBucket (listings, and a 404 rather than a 403 for a
 * missing key) on the buckets of the itemSourceBuckets param, and nothing when it is empty.
 */
const SOURCE_READERS = new Set(['batch-api', 'batch-submit', 'batch-callback']);
/** S3 bucket names ("Bucket naming rules", Amazon S3 User Guide). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const itemSourceBuckets = async (resolveVariable) => {
  const buckets = list(await resolveVariable('param:itemSourceBuckets'));
  for (const bucket of buckets) {
    if (!BUCKET.test(bucket)) {
      throw new Error(
        `itemSourceBuckets must be comma-separated S3 bucket names, got ${JSON.stringify(bucket)}`,
      );
    }
  }
  return [...new Set(buckets)];
};

const sageMakerResources = (names, actions) =>
  names.flatMap((name) => [
    ...(actions.includes('sagemaker:StartPipelineExecution')
      ? [sageMakerArn(`pipeline/${name}`)]
      : []),
    ...(actions.includes('sagemaker:DescribePipelineExecution')
      ? [sageMakerArn(`pipeline/${name}/execution/*`)]
      : []),
  ]);

const role =
  (functionName) =>
  async ({ resolveVariable }) => {
    const spec = FUNCTIONS[functionName];
    const names = await pipelineNames(resolveVariable);
    const statements = [
      await logsStatement(resolveVariable, functionName),
      {
        Effect: 'Allow',
        Action: TABLE_ACTIONS,
        Resource: [
          { 'Fn::GetAtt': ['BatchLedgerTable', 'Arn'] },
          sub(`\${BatchLedgerTable.Arn}/index/*`),
        ],
      },
    ];
    if (names.length > 0) {
      statements.push({
        Effect: 'Allow',
        Action: spec.sagemaker,
        Resource: sageMakerResources(names, spec.sagemaker),
      });
    }
    // StopPipelineExecution acts on `pipeline-execution`: the children of the allowed pipelines.
    if (spec.stop && names.length > 0) {
      statements.push({
        Effect: 'Allow',
        Action: ['sagemaker:StopPipelineExecution'],
        Resource: names.map((name) => sageMakerArn(`pipeline/${name}/execution/*`)),
      });
    }
    // The Send operations name only a callback token, which is the capability: the parent
    // may be any pipeline of the account and Region, so they are scoped to its executions.
    statements.push({
      Effect: 'Allow',
      Action: ANSWER_ACTIONS,
      Resource: sageMakerArn('pipeline/*/execution/*'),
    });
    const prefix = String((await resolveVariable('param:resultsPrefix')) ?? '').replace(
      /^\/+|\/+$/g,
      '',
    );
    statements.push({
      Effect: 'Allow',
      Action: RESULTS_ACTIONS,
      Resource: sub(`\${BatchResultsBucket.Arn}/${prefix === '' ? '' : `${prefix}/`}*`),
    });
    if (spec.queue) {
      statements.push({
        Effect: 'Allow',
        Action: spec.queue.actions,
        Resource: { 'Fn::GetAtt': [spec.queue.logicalId, 'Arn'] },
      });
    }
    const sourceBuckets = SOURCE_READERS.has(functionName)
      ? await itemSourceBuckets(resolveVariable)
      : [];
    if (sourceBuckets.length > 0) {
      statements.push(
        {
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: sourceBuckets.map((bucket) => sub(`arn:\${AWS::Partition}:s3:::${bucket}/*`)),
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: sourceBuckets.map((bucket) => sub(`arn:\${AWS::Partition}:s3:::${bucket}`)),
        },
      );
    }
    return lambdaRole(resolveVariable, functionName, statements);
  };

/**
 * The EventBridge rule feeding the batch-events queue: terminal status changes of the
 * allowed child pipelines' executions. With no pipeline allowed it matches nothing and is
 * disabled.
 */
const rule = async ({ resolveVariable }) => {
  const names = await pipelineNames(resolveVariable);
  const pipelineArn =
    names.length === 1 && names[0] === '*'
      ? [{ prefix: sageMakerArn('pipeline/') }]
      : names.map((name) => sageMakerArn(`pipeline/${name}`));
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: 'Child pipeline executions that ended, for the batch-events function',
      State: names.length > 0 ? 'ENABLED' : 'DISABLED',
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: {
          currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'],
          pipelineArn: pipelineArn.length > 0 ? pipelineArn : ['none'],
        },
      },
      Targets: [{ Id: 'batch-events-queue', Arn: { 'Fn::GetAtt': ['BatchEventsQueue', 'Arn'] } }],
    },
  };
};

module.exports = {
  apiRole: role('batch-api'),
  eventsRole: role('batch-events'),
  reconcileRole: role('batch-reconcile'),
  submitRole: role('batch-submit'),
  callbackRole: role('batch-callback'),
  rule,
  FUNCTIONS,
};
