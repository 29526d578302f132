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
