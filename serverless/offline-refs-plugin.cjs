// serverless-offline passes a function's environment as written, so `BATCH_TABLE_NAME: !Ref
// BatchLedgerTable` would reach the handler as an object. Under `sls offline` only, this plugin
// gives each `Ref` to a resource of this template the name local mode gives that resource
// (local/wiring/template.ts: its TableName/QueueName/Name property, or its logical id), the
// name `npm start` creates the dynalite table under. Deployments are not touched.
class OfflineRefsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:init': () => this.resolveRefs() };
  }

  resolveRefs() {
    const service = this.serverless.service;
    const resources = service.resources?.Resources ?? {};
    const nameOf = (logicalId) => {
      const properties = resources[logicalId]?.Properties ?? {};
      if (resources[logicalId]?.Type === 'AWS::S3::Bucket') {
        const bucket = properties.BucketName;
        return (typeof bucket === 'string' ? bucket : logicalId).toLowerCase();
      }
      const own = properties.TableName ?? properties.QueueName ?? properties.Name;
      return typeof own === 'string' ? own : logicalId;
    };
    const resolve = (environment) => {
      for (const [name, value] of Object.entries(environment ?? {})) {
        const ref = value && typeof value === 'object' ? value.Ref : undefined;
        if (typeof ref === 'string' && ref in resources) environment[name] = nameOf(ref);
      }
    };
    resolve(service.provider.environment);
    for (const key of service.getAllFunctions()) resolve(service.getFunction(key).environment);
  }
}

module.exports = OfflineRefsPlugin;
