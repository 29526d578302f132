import type { StartPipelineExecutionCommandInput } from '@aws-sdk/client-sagemaker';
import type { AllowList } from '../fan-out/allow-list';
import { displayNameOf, sanitizeDisplayNamePrefix } from '../fan-out/identity';
import {
  compileValidTemplates,
  type NamedTemplate,
  renderParameterValue,
} from '../fan-out/template';
import { BatchRequestMissingError } from './errors';
import type { FanInDeps } from './fan-in';
import { childDescription, executionToken, itemIndexOf, pipelineIndexOf } from './identity';
import type { BatchLedger, BatchRecord, ExecutionRecord } from './ledger';
import { partOfItem, type StoredHead } from './request';
import type { BatchSageMaker } from './sagemaker';
import type { ObjectSource } from './sources/port';

/** Everything the batch functions need: ports, limits and a clock. */
export interface BatchDeps {
  ledger: BatchLedger;
  sagemaker: BatchSageMaker;
  /** Where `itemsFrom` sources are read (S3); only the functions that submit batches need it. */
  objects?: ObjectSource;
  allowList: AllowList;
  /** Children all batches together may run: the `accountConcurrencyLimit` deploy parameter. */
  accountLimit: number;
  /** How long a finished batch's records are kept. */
  retentionSeconds: number;
  /**
   * How old a claim or a start must be before the reconciler takes it over: longer than any
   * batch function's timeout, so it never races a function still working on it.
   */
  recoveryGraceMs: number;
  now: () => number;
  newId: () => string;
  /** Stored requests already read, by batch and fingerprint (immutable, so safe to keep). */
  requests: RequestCache;
  /** Callback answers, stops and results manifests; absent, batches only run. */
  fanIn?: FanInDeps | undefined;
}

/** Items parts of one stored request kept in memory (each at most 300 KB as JSON). */
const PARTS_KEPT = 8;

/** A stored request, read part by part as items are needed. */
interface CachedRequest {
  head: StoredHead;
  templates: NamedTemplate[];
  /** The item at an index, its part read once however many ask at once. */
  item(index: number): Promise<unknown>;
}

/**
 * Values read once however many ask at once: the oldest is forgotten past `capacity`, and a read
 * that fails is forgotten so that the next one tries again.
 */
class ReadOnce<K, T> {
  private readonly entries = new Map<K, Promise<T>>();

  constructor(private readonly capacity: number) {}

  read(key: K, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const loading = load();
    this.entries.set(key, loading);
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    return loading;
  }
}

/** A small per-container cache of stored requests (immutable, so safe to keep). */
export class RequestCache extends ReadOnce<string, CachedRequest> {
  constructor(capacity = 16) {
    super(capacity);
  }
}

/** Reads one part of a stored request. */
const readPart = async (deps: BatchDeps, batch: BatchRecord, part: number): Promise<string> => {
  const text = await deps.ledger.getRequestPart(batch.batchId, batch.fingerprint, part);
  if (text === undefined) throw new BatchRequestMissingError(batch.batchId, part);
  return text;
};

const loadRequest = (deps: BatchDeps, batch: BatchRecord): Promise<CachedRequest> =>
  deps.requests.read(`${batch.batchId}#${batch.fingerprint}`, async () => {
    const head = JSON.parse(await readPart(deps, batch, 0)) as StoredHead;
    // Children start in cursor order: the oldest parts read are the ones no longer needed.
    const parts = new ReadOnce<number, unknown[]>(PARTS_KEPT);
    return {
      head,
      templates: compileValidTemplates(head.spec.templates),
      item: async (index) => {
        const part = partOfItem(head.starts, index);
        const items = await parts.read(
          part,
          async () => JSON.parse(await readPart(deps, batch, part)) as unknown[],
        );
        return items[index - (head.starts[part - 1] ?? 0)];
      },
    };
  });

/** What starting one attempt of one (pipeline, item) sends, or why it cannot be rendered. */
export type StartPlan =
  | { ok: true; pipeline: string; itemIndex: number; input: StartPipelineExecutionCommandInput }
  | { ok: false; pipeline: string; itemIndex: number; reason: string };

/** Renders the StartPipelineExecution call of one attempt of one pair from the stored request. */
export const startPlanOf = async (
  deps: BatchDeps,
  batch: BatchRecord,
  pair: number,
  attempt: number,
): Promise<StartPlan> => {
  const request = await loadRequest(deps, batch);
  const { spec } = request.head;
  const itemIndex = itemIndexOf(pair, spec.pipelines.length);
  const pipeline = spec.pipelines[pipelineIndexOf(pair, spec.pipelines.length)] ?? '';
  const item = await request.item(itemIndex);
  const parameters: Array<{ Name: string; Value: string }> = [];
  for (const { name, template } of request.templates) {
    const rendered = renderParameterValue(template, item, itemIndex, batch.batchId);
    if (!rendered.ok) {
      return {
        ok: false,
        pipeline,
        itemIndex,
        reason: `parameter ${name} cannot be rendered for item ${itemIndex} (${rendered.problem.kind})`,
      };
    }
    parameters.push({ Name: name, Value: rendered.value });
  }
  return {
    ok: true,
    pipeline,
    itemIndex,
    input: {
      PipelineName: pipeline,
      PipelineExecutionDisplayName: displayNameOf(
        sanitizeDisplayNamePrefix(spec.displayNamePrefix),
        batch.batchId,
        itemIndex,
      ),
      PipelineExecutionDescription: childDescription({ batchId: batch.batchId, pair, attempt }),
      ClientRequestToken: executionToken(
        batch.batchKey,
        batch.fingerprint,
        pipeline,
        itemIndex,
        attempt,
      ),
      PipelineParameters: parameters,
      ...(spec.maxParallelExecutionSteps === undefined
        ? {}
        : {
            ParallelismConfiguration: {
              MaxParallelExecutionSteps: spec.maxParallelExecutionSteps,
            },
          }),
    },
  };
};

/** The record of one attempt of a pair, `STARTING` with the token of its start plan. */
export const startingRecord = (
  batch: BatchRecord,
  pair: number,
  attempt: number,
  plan: StartPlan,
  claimedAt: number,
): ExecutionRecord => ({
  batchId: batch.batchId,
  pair,
  pipeline: plan.pipeline,
  itemIndex: plan.itemIndex,
  attempt,
  clientRequestToken: plan.ok ? (plan.input.ClientRequestToken ?? '') : '',
  status: 'STARTING',
  executionArn: undefined,
  failureReason: undefined,
  claimedAt,
  ambiguous: false,
  endedAt: undefined,
});

/** The pipeline, item index and item of one pair, from the stored request. */
export const pairOfBatch = async (
  deps: BatchDeps,
  batch: BatchRecord,
  pair: number,
): Promise<{ pipeline: string; itemIndex: number; item: unknown }> => {
  const request = await loadRequest(deps, batch);
  const { pipelines } = request.head.spec;
  const itemIndex = itemIndexOf(pair, pipelines.length);
  return {
    pipeline: pipelines[pipelineIndexOf(pair, pipelines.length)] ?? '',
    itemIndex,
    item: await request.item(itemIndex),
  };
};

/** Reads every stored item, for comparing a re-sent request with the stored one. */
export const storedItems = async (deps: BatchDeps, batch: BatchRecord): Promise<unknown[]> => {
  const request = await loadRequest(deps, batch);
  const items: unknown[] = [];
  for (let index = 0; index < request.head.itemCount; index++) {
    items.push(await request.item(index));
  }
  return items;
};
