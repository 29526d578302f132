// Serverless adds the SQS permissions of every function's `sqs` event to the shared role
// (IamRoleLambdaExecution), even for a function that has its own `role:`. That would let
// every function on the shared role read the batch events queue. This plugin takes those
// grants back out of the shared role: a function with its own role gets them from that role
// (serverless/batch-iam.cjs).
const QUEUE_ACTIONS = new Set([
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
]);

class OwnRoleSqsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:compileEvents': () => this.removeSharedGrants() };
  }

  removeSharedGrants() {
    const service = this.serverless.service;
    const ownRoleQueues = new Set();
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      if (fn.role === undefined) continue;
      for (const event of fn.events ?? []) {
        const arn = event.sqs?.arn ?? event.sqs;
        if (arn !== undefined) ownRoleQueues.add(JSON.stringify(arn));
      }
    }
    if (ownRoleQueues.size === 0) return;
    const role = service.provider.compiledCloudFormationTemplate.Resources.IamRoleLambdaExecution;
    for (const policy of role?.Properties?.Policies ?? []) {
      const document = policy.PolicyDocument;
      document.Statement = document.Statement.flatMap((statement) => {
        const actions = [statement.Action].flat();
        if (!actions.every((action) => QUEUE_ACTIONS.has(action))) return [statement];
        const kept = [statement.Resource]
          .flat()
          .filter((resource) => !ownRoleQueues.has(JSON.stringify(resource)));
        return kept.length === 0 ? [] : [{ ...statement, Resource: kept }];
      });
    }
  }
}

module.exports = OwnRoleSqsPlugin;
