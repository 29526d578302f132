import { type BatchDeps, pairOfBatch } from './deps';
import type { BatchRecord, ExecutionRecord } from './ledger';

/**
 * Execution records read per page while a manifest is written: a few hundred bytes each, so a
 * page stays under DynamoDB's 1 MB per Query (which would cut it shorter anyway).
 */
const PAGE = 1_000;

/** One line of a results manifest: one (pipeline, item). */
export interface ResultLine {
  index: number;
  item: unknown;
  pipeline: string;
  executionArn: string | null;
  /** The execution's status, or `NOT_STARTED` for a pair the batch never started. */
  status: string;
  failureReason: string | null;
  startTime: string | null;
  endTime: string | null;
  attempt: number;
}

/** The manifest's key: `<resultsPrefix>/<batchId>/results.jsonl`. */
export const resultsKey = (prefix: string, batchId: string): string =>
  `${prefix.replace(/\/+$/, '')}${prefix === '' ? '' : '/'}${batchId}/results.jsonl`;

const lineOf = async (
  deps: BatchDeps,
  batch: BatchRecord,
  pair: number,
  record: ExecutionRecord | undefined,
): Promise<string> => {
  const { pipeline, itemIndex, item } = await pairOfBatch(deps, batch, pair);
  const line: ResultLine = {
    index: itemIndex,
    item,
    pipeline,
    executionArn: record?.executionArn ?? null,
    status: record?.status ?? 'NOT_STARTED',
    failureReason: record?.failureReason ?? null,
    startTime:
      record?.startedAt ??
      (record?.status === 'PENDING' || record === undefined
        ? null
        : new Date(record.claimedAt).toISOString()),
    endTime: record?.endedAt ?? null,
    attempt: record?.attempt ?? 0,
  };
  return `${JSON.stringify(line)}\n`;
};

/**
 * The manifest's lines in (item, pipeline) order, one per pair: the execution records a
 * page at a time (they are keyed by pair), and a `NOT_STARTED` line for each pair without
 * one. Nothing but one page is held, so a 100,000-item batch streams out.
 */
export async function* manifestLines(deps: BatchDeps, batch: BatchRecord): AsyncGenerator<string> {
  let next = 0;
  let nextToken: string | undefined;
  do {
    const page = await deps.ledger.listExecutions(batch.batchId, {
      limit: PAGE,
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    for (const record of page.records) {
      for (; next < record.pair; next++) yield lineOf(deps, batch, next, undefined);
      yield lineOf(deps, batch, record.pair, record);
      next = record.pair + 1;
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  for (; next < batch.pairs; next++) yield lineOf(deps, batch, next, undefined);
}

/** Writes the batch's manifest when a results store is configured; its URI, or undefined. */
export const writeResults = async (
  deps: BatchDeps,
  batch: BatchRecord,
): Promise<string | undefined> => {
  const results = deps.fanIn?.results;
  if (results === undefined) return undefined;
  const uri = await results.writeLines(
    resultsKey(deps.fanIn?.resultsPrefix ?? '', batch.batchId),
    manifestLines(deps, batch),
  );
  await deps.ledger.setBatchFields(batch.batchId, { resultsUri: uri });
  return uri;
};
