import * as v from 'valibot';
import { InputValidationError } from '../errors';
import { canonicalJson } from '../fan-out/identity';
import {
  DEFAULT_ITEM_PARAMETER,
  fanOutRequestSchema,
  MAX_BATCH_KEY_LENGTH,
  planFanOut,
} from '../fan-out/request';
import { integerArg } from '../parsers';
import type { BatchDeps } from './deps';
import { fingerprintOf } from './identity';
import type { BatchRecord } from './ledger';
import { itemsFromSchema } from './sources/schema';
import { toleranceFields } from './tolerance';

/** Children one batch runs at once unless the request says otherwise. */
export const DEFAULT_MAX_CONCURRENT_EXECUTIONS = 10;
/** Our limit on `maxConcurrentExecutions`; the account budget caps all batches together anyway. */
export const MAX_CONCURRENT_EXECUTIONS = 1_000;
/** The display name prefix when the request gives none. */
export const DEFAULT_BATCH_DISPLAY_NAME_PREFIX = 'batch';

const fanOut = fanOutRequestSchema.entries;

/**
 * A batch request's fields: the fan-out's, each with the fan-out's own schema, and
 * `maxConcurrentExecutions` (children running at once) instead of the fan-out's
 * `maxConcurrency` (calls in flight). Items come inline (`items`) or from S3 (`itemsFrom`).
 * Unknown fields are ignored, as the fan-out ignores them.
 */
export const batchRequestEntries = {
  pipelines: fanOut.pipelines,
  items: v.optional(fanOut.items),
  itemsFrom: v.optional(itemsFromSchema),
  parameters: fanOut.parameters,
  displayNamePrefix: fanOut.displayNamePrefix,
  maxParallelExecutionSteps: fanOut.maxParallelExecutionSteps,
  maxConcurrentExecutions: v.optional(
    v.pipe(
      integerArg,
      v.minValue(1),
      v.maxValue(MAX_CONCURRENT_EXECUTIONS),
      v.description(
        `Children of this batch running at once, default ${DEFAULT_MAX_CONCURRENT_EXECUTIONS}; all batches together stay within the account budget`,
      ),
    ),
  ),
  ...toleranceFields,
};

const given = (input: unknown, key: string): boolean =>
  input !== null &&
  typeof input === 'object' &&
  (input as Record<string, unknown>)[key] !== undefined;

/** Exactly one of `items` and `itemsFrom`: an issue on `items` naming both otherwise. */
export const oneItemsSource = <T extends { items?: unknown; itemsFrom?: unknown }>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    const input = dataset.value;
    const items = given(input, 'items');
    if (items !== given(input, 'itemsFrom')) return;
    addIssue({
      message: items
        ? 'give items or itemsFrom, not both'
        : 'required: items (the items as a JSON array) or itemsFrom (where to read them: {"uri": "s3://..."})',
      path: [
        {
          type: 'object',
          origin: 'value',
          input: input as Record<string, unknown>,
          key: 'items',
          value: items ? (input as Record<string, unknown>).items : undefined,
        },
      ],
    });
  });

/** A batch request: {@link batchRequestEntries}, with exactly one of `items` and `itemsFrom`. */
const batchRequestObject = v.object(batchRequestEntries);
export const batchRequestSchema = v.pipe(
  batchRequestObject,
  oneItemsSource<v.InferOutput<typeof batchRequestObject>>(),
);

/** A request after schema validation. */
export type BatchRequest = v.InferOutput<typeof batchRequestSchema>;

/** The batch key schema: what the `Idempotency-Key` header or a schedule's key must be. */
export const batchKeySchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_BATCH_KEY_LENGTH));

/** What a batch starts children from: the request with its defaults applied. */
export interface BatchSpec {
  pipelines: readonly string[];
  templates: Readonly<Record<string, string>>;
  displayNamePrefix: string;
  maxParallelExecutionSteps: number | undefined;
}

/** The request fields a fingerprint covers, each hashed on its own so a 409 can name them. */
export const FINGERPRINT_FIELDS = [
  'pipelines',
  'items',
  'itemsFrom',
  'parameters',
  'displayNamePrefix',
  'maxConcurrentExecutions',
  'maxParallelExecutionSteps',
  'toleratedFailureCount',
  'toleratedFailurePercentage',
] as const;
export type FingerprintField = (typeof FINGERPRINT_FIELDS)[number];
/**
 * The hash of each field. `itemsFrom` only for a batch read from a source, so an inline
 * batch's fingerprint is what it was before sources existed.
 */
export type FingerprintParts = Record<Exclude<FingerprintField, 'itemsFrom'>, string> & {
  itemsFrom?: string;
};

/** A validated batch: spec, items, limits and fingerprint. */
export interface PlannedBatch {
  spec: BatchSpec;
  items: readonly unknown[];
  maxConcurrentExecutions: number;
  toleratedFailureCount: number | undefined;
  toleratedFailurePercentage: number | undefined;
  /** Hash of each field after defaults, so `{}` and no `parameters` differ only if they mean different things. */
  fingerprintParts: FingerprintParts;
  /** The canonical hash of the whole request. */
  fingerprint: string;
}

/**
 * Checks everything the schema cannot, exactly as the fan-out does (its planner checks
 * templates against every item, duplicate pipelines and the prefix), and fingerprints the
 * request. Makes no call.
 * @throws InputValidationError listing every problem.
 */
export const planBatch = (request: BatchRequest, batchKey: string): PlannedBatch => {
  const items = request.items ?? [];
  planFanOut({ ...request, items, batchKey }, { subject: 'batch request' });
  const templates = request.parameters ?? { [DEFAULT_ITEM_PARAMETER]: '{{item}}' };
  const spec: BatchSpec = {
    pipelines: request.pipelines,
    templates,
    displayNamePrefix: request.displayNamePrefix ?? DEFAULT_BATCH_DISPLAY_NAME_PREFIX,
    maxParallelExecutionSteps: request.maxParallelExecutionSteps,
  };
  const maxConcurrentExecutions =
    request.maxConcurrentExecutions ?? DEFAULT_MAX_CONCURRENT_EXECUTIONS;
  const fingerprintParts: FingerprintParts = {
    pipelines: fingerprintOf(spec.pipelines),
    items: fingerprintOf(items),
    parameters: fingerprintOf(templates),
    displayNamePrefix: fingerprintOf(spec.displayNamePrefix),
    maxConcurrentExecutions: fingerprintOf(maxConcurrentExecutions),
    maxParallelExecutionSteps: fingerprintOf(spec.maxParallelExecutionSteps ?? null),
    toleratedFailureCount: fingerprintOf(request.toleratedFailureCount ?? null),
    toleratedFailurePercentage: fingerprintOf(request.toleratedFailurePercentage ?? null),
  };
  return {
    spec,
    items,
    maxConcurrentExecutions,
    toleratedFailureCount: request.toleratedFailureCount,
    toleratedFailurePercentage: request.toleratedFailurePercentage,
    fingerprintParts,
    fingerprint: fingerprintOf(fingerprintParts),
  };
};

/** Largest stored request part, in UTF-8 bytes: DynamoDB items are at most 400 KB. */
export const MAX_PART_BYTES = 300_000;

/**
 * Splits a planned batch into the parts the ledger stores: part 0 the spec and the first
 * item of each later part, parts 1.. the items as JSON arrays of at most
 * {@link MAX_PART_BYTES}, so any item can be read again by its index with one read.
 * @throws InputValidationError naming an item too large to store.
 */
export const requestParts = (planned: PlannedBatch): string[] => {
  const parts: string[] = [];
  const starts: number[] = [];
  let current: string[] = [];
  let bytes = 2;
  planned.items.forEach((item, index) => {
    const json = canonicalJson(item);
    const size = Buffer.byteLength(json) + 1;
    if (size + 2 > MAX_PART_BYTES) {
      throw new InputValidationError(
        [
          {
            field: `items[${index}]`,
            problem: `is ${size} bytes as JSON; a batch item may be at most ${MAX_PART_BYTES - 3} bytes`,
          },
        ],
        { subject: 'batch request' },
      );
    }
    if (current.length > 0 && bytes + size > MAX_PART_BYTES) {
      parts.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    if (current.length === 0) starts.push(index);
    current.push(json);
    bytes += size;
  });
  if (current.length > 0) parts.push(`[${current.join(',')}]`);
  const head = JSON.stringify({ spec: planned.spec, itemCount: planned.items.length, starts });
  return [head, ...parts];
};

/** Part 0 as stored. */
export interface StoredHead {
  spec: BatchSpec;
  itemCount: number;
  /** The index of the first item of each items part (part i + 1). */
  starts: number[];
  /** Where the items were read, for a batch over `itemsFrom`: the URI and the entity tag read. */
  source?: { uri: string; etag: string | undefined };
}

/** The items part holding `index`, by binary search over the parts' first indexes. */
export const partOfItem = (starts: readonly number[], index: number): number => {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((starts[middle] ?? 0) <= index) low = middle;
    else high = middle - 1;
  }
  return low + 1;
};

/** Names the fields whose hashes differ, in words a 409 can show. */
export const describeDifferences = (
  stored: Readonly<Record<string, string>>,
  requested: Readonly<FingerprintParts>,
): string[] =>
  FINGERPRINT_FIELDS.filter((field) => stored[field] !== requested[field]).map(
    (field) => `${field} differs`,
  );

/** What names a stored request: its batch and the fingerprint of its content. */
export type StoredRequestId = Pick<BatchRecord, 'batchId' | 'fingerprint'>;

/**
 * Sets `count` parts of a stored request, from part `first`, to expire after the retention:
 * those of a finished batch, or orphans of a refused or raced submission.
 */
export const expireRequestParts = async (
  deps: BatchDeps,
  { batchId, fingerprint }: StoredRequestId,
  count: number,
  first = 0,
): Promise<void> => {
  const expiresAt = Math.floor(deps.now() / 1000) + deps.retentionSeconds;
  for (let part = first; part < first + count; part++) {
    await deps.ledger.expireRequestPart(batchId, fingerprint, part, expiresAt);
  }
};
