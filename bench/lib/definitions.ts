/** The ARN a local pipeline's Lambda step calls to reach the `fan-out` function. */
export const FAN_OUT_ARN =
  'arn:aws:lambda:us-east-1:123456789012:function:sagemaker-pipeline-lambdas-dev-fan-out';

/** The function the benches' child pipelines call (registered by each suite). */
export const CHILD_FUNCTION = 'bench-child';

/**
 * A child pipeline definition with one `Item` parameter and one Lambda step that receives
 * it: the smallest child a fan-out benchmark can start and see succeed.
 */
export const oneStepChildDefinition = (functionArn: string): string =>
  JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [{ Name: 'Item', Type: 'String', DefaultValue: '' }],
    Steps: [
      {
        Name: 'Work',
        Type: 'Lambda',
        FunctionArn: functionArn,
        Arguments: { item: { Get: 'Parameters.Item' } },
        OutputParameters: [],
      },
    ],
  });
