import { InputValidationError } from '../../errors';
import { DEFAULT_ITEM_PARAMETER, planFanOut } from '../../fan-out/request';
import { fingerprintOf } from '../identity';
import {
  type BatchRequest,
  type BatchSpec,
  DEFAULT_BATCH_DISPLAY_NAME_PREFIX,
  DEFAULT_MAX_CONCURRENT_EXECUTIONS,
  type FingerprintParts,
} from '../request';
import { formatOf, type ItemsFrom } from './schema';
import {
  DEFAULT_GROUP_TEMPLATES,
  type ItemProblem,
  sourceTemplates,
  templateChecker,
} from './templates';

/** A batch whose items come from a source, planned before the source is read. */
export interface PlannedSourceBatch {
  /** The spec the children are started from; its templates read a group as `{{item}}`. */
  spec: BatchSpec;
  itemsFrom: ItemsFrom;
  maxConcurrentExecutions: number;
  toleratedFailureCount: number | undefined;
  toleratedFailurePercentage: number | undefined;
  /** The request's templates after defaults, as the fingerprint covers them. */
  templates: Readonly<Record<string, string>>;
  /** Checks one item (or group) against the templates. */
  check: (item: unknown, index: number) => ItemProblem[];
}

/**
 * Checks everything about a source batch that needs no read: the templates (with `{{items}}`
 * for groups), the pipelines and the prefix, exactly as for inline items.
 * @throws InputValidationError listing every problem.
 */
export const planSourceBatch = (
  request: BatchRequest,
  itemsFrom: ItemsFrom,
  batchKey: string,
  batchId: string,
): PlannedSourceBatch => {
  const grouped = itemsFrom.itemsPerExecution !== undefined;
  const templates =
    request.parameters ??
    (grouped ? DEFAULT_GROUP_TEMPLATES : { [DEFAULT_ITEM_PARAMETER]: '{{item}}' });
  const rendered = sourceTemplates(templates, grouped);
  const problems = [...rendered.problems];
  try {
    planFanOut(
      {
        pipelines: request.pipelines,
        items: [],
        parameters: rendered.templates,
        displayNamePrefix: request.displayNamePrefix,
        maxParallelExecutionSteps: request.maxParallelExecutionSteps,
        batchKey,
      },
      { subject: 'batch request' },
    );
  } catch (error) {
    if (!(error instanceof InputValidationError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0) throw new InputValidationError(problems, { subject: 'batch request' });
  return {
    spec: {
      pipelines: request.pipelines,
      templates: rendered.templates,
      displayNamePrefix: request.displayNamePrefix ?? DEFAULT_BATCH_DISPLAY_NAME_PREFIX,
      maxParallelExecutionSteps: request.maxParallelExecutionSteps,
    },
    itemsFrom,
    maxConcurrentExecutions: request.maxConcurrentExecutions ?? DEFAULT_MAX_CONCURRENT_EXECUTIONS,
    toleratedFailureCount: request.toleratedFailureCount,
    toleratedFailurePercentage: request.toleratedFailurePercentage,
    templates,
    check: templateChecker(rendered.templates, batchId, grouped),
  };
};

/** `itemsFrom` with its defaults spelled out, so leaving a default out is the same request. */
const sourceAfterDefaults = (itemsFrom: ItemsFrom) => {
  const format = formatOf(itemsFrom);
  return {
    uri: itemsFrom.uri,
    format,
    ...(format === 'csv'
      ? { csvHeader: itemsFrom.csvHeader ?? 'first-line', delimiter: itemsFrom.delimiter ?? ',' }
      : {}),
    maxItems: itemsFrom.maxItems ?? null,
    itemsPerExecution: itemsFrom.itemsPerExecution ?? null,
  };
};

/**
 * The fingerprint of a source batch: its fields, and the source with the entity tag of the
 * object read (none for a listing), so the same request over a changed object is another
 * request, and its stored parts never mix with the first one's.
 */
export const fingerprintSourceBatch = (
  planned: PlannedSourceBatch,
  etag: string | undefined,
): { fingerprintParts: FingerprintParts; fingerprint: string } => {
  const fingerprintParts: FingerprintParts = {
    pipelines: fingerprintOf(planned.spec.pipelines),
    items: fingerprintOf(null),
    itemsFrom: fingerprintOf({
      source: sourceAfterDefaults(planned.itemsFrom),
      etag: etag ?? null,
    }),
    parameters: fingerprintOf(planned.templates),
    displayNamePrefix: fingerprintOf(planned.spec.displayNamePrefix),
    maxConcurrentExecutions: fingerprintOf(planned.maxConcurrentExecutions),
    maxParallelExecutionSteps: fingerprintOf(planned.spec.maxParallelExecutionSteps ?? null),
    toleratedFailureCount: fingerprintOf(planned.toleratedFailureCount ?? null),
    toleratedFailurePercentage: fingerprintOf(planned.toleratedFailurePercentage ?? null),
  };
  return { fingerprintParts, fingerprint: fingerprintOf(fingerprintParts) };
};
