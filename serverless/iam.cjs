// What every per-function role file shares: reading the deploy parameters, the function's own
// log group, and the role around a function's statements. The role files decide what each
// function may do (function-roles.cjs, batch-iam.cjs); test/security/function-roles.test.ts
// checks the packaged roles.
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

/** Writing to the function's own log group, and nothing else of CloudWatch Logs. */
const logsStatement = async (resolveVariable, functionName) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: sub(
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${functionName}:*`,
    ),
  };
};

/** The role Lambda assumes for one function, allowed exactly `statements`. */
const lambdaRole = async (resolveVariable, functionName, statements) => {
  const vpc = list(await resolveVariable('param:subnetIds')).length > 0;
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

module.exports = { list, sub, pipelineNames, logsStatement, lambdaRole };
