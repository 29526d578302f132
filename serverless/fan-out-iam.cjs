// IAM statements for the fan-out functions, built from the allowedPipelines param
// (comma-separated child pipeline names, or * for any pipeline of this account and
// region). The same list is the functions' FAN_OUT_ALLOWED_PIPELINES, checked at run
// time too. Actions and resource types from the Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon SageMaker": StartPipelineExecution
// and ListPipelineExecutions act on `pipeline`, DescribePipelineExecution on
// `pipeline-execution` (arn:...:pipeline/<name>/execution/<id>).
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

const list = (text) =>
  String(text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

const arn = (resource) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:sagemaker:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

module.exports = async ({ resolveVariable }) => {
  const entries = list(await resolveVariable('param:allowedPipelines'));
  if (entries.length === 0) return [];
  let names;
  if (entries.length === 1 && entries[0] === '*') {
    names = ['*'];
  } else {
    for (const entry of entries) {
      if (!NAME.test(entry)) {
        throw new Error(
          `allowedPipelines must be comma-separated pipeline names or a lone *, got ${JSON.stringify(entry)}`,
        );
      }
    }
    // SageMaker ARNs carry the name in lower case; grant both spellings.
    names = [...new Set(entries.flatMap((name) => [name, name.toLowerCase()]))];
  }
  return [
    {
      Effect: 'Allow',
      Action: [
        'sagemaker:StartPipelineExecution',
        'sagemaker:ListPipelineExecutions',
        'sagemaker:DescribePipelineExecution',
      ],
      Resource: names.flatMap((name) => [
        arn(`pipeline/${name}`),
        arn(`pipeline/${name}/execution/*`),
      ]),
    },
  ];
};
