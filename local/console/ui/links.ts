/** The console's addresses (hash routes, so the runtime serves one page). */
export const pipelinesHref = () => '#/';
export const pipelineHref = (name: string) => `#/pipelines/${encodeURIComponent(name)}`;
export const executionHref = (arn: string) => `#/executions/${encodeURIComponent(arn)}`;
export const callbacksHref = () => '#/callbacks';
export const batchesHref = () => '#/batches';
export const batchHref = (batchId: string) => `#/batches/${encodeURIComponent(batchId)}`;
