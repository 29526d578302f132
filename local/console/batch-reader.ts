/**
 * Reads the local batch ledger (dynalite) for the console. A batch and its children come through
 * the ledger port (shared/batches/ledger.ts); the list of every batch, which the port does not
 * offer, is a Scan of the ledger table's batch records, read with the ledger's own record
 * mapping (shared/batches/dynamodb-records.ts). Local only: a Scan reads the whole table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDbLedger } from '../../shared/batches/dynamodb-ledger';
import { batchKey, type Item, toBatch } from '../../shared/batches/dynamodb-records';
import { type BatchRecord, countsOf, type ExecutionRecord } from '../../shared/batches/ledger';
import type { BatchChildrenPage, BatchChildView, BatchView } from './ui/batch-types';

/** Children per page, as `GET /batches/{batchId}/executions` pages them. */
export const CHILDREN_PAGE_SIZE = 100;

/** The sort key of a batch's own record (its children and request parts have others). */
const BATCH_RECORD_SK = batchKey('').sk;

export interface BatchLedgerLocation {
  endpoint: string;
  region: string;
  tableName: string;
}

export interface BatchReader {
  /** Every batch, newest first. */
  listBatches(): Promise<BatchView[]>;
  /** The batch and a page of its started children; undefined when no batch has the id. */
  children(batchId: string, nextToken?: string): Promise<BatchChildrenPage | undefined>;
  close(): void;
}

const batchView = (batch: BatchRecord): BatchView => ({
  batchId: batch.batchId,
  status: batch.status,
  counts: countsOf(batch),
  createdAt: batch.createdAt,
  ...(batch.finishedAt === undefined ? {} : { finishedAt: batch.finishedAt }),
  maxConcurrentExecutions: batch.maxConcurrentExecutions,
  pipelineCount: batch.pipelineCount,
  itemCount: batch.itemCount,
});

const childView = (record: ExecutionRecord): BatchChildView => ({
  pipeline: record.pipeline,
  index: record.itemIndex,
  status: record.status,
  attempt: record.attempt,
  ...(record.executionArn === undefined ? {} : { executionArn: record.executionArn }),
  ...(record.failureReason === undefined ? {} : { failureReason: record.failureReason }),
});

/** A reader of the ledger table at `location` (dynalite's endpoint, any credentials). */
export function createBatchReader(location: BatchLedgerLocation): BatchReader {
  const client = new DynamoDBClient({
    endpoint: location.endpoint,
    region: location.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const ledger = dynamoDbLedger(client, { tableName: location.tableName });
  return {
    async listBatches() {
      const batches: BatchRecord[] = [];
      let start: Item | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: location.tableName,
            FilterExpression: 'sk = :batch',
            ExpressionAttributeValues: { ':batch': BATCH_RECORD_SK },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        batches.push(...(page.Items ?? []).map(toBatch));
        start = page.LastEvaluatedKey;
      } while (start);
      batches.sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || a.batchId.localeCompare(b.batchId),
      );
      return batches.map(batchView);
    },
    async children(batchId, nextToken) {
      const batch = await ledger.getBatch(batchId);
      if (!batch) return undefined;
      const page = await ledger.listExecutions(batchId, {
        limit: CHILDREN_PAGE_SIZE,
        ...(nextToken === undefined ? {} : { nextToken }),
      });
      return {
        batch: batchView(batch),
        executions: page.records.map(childView),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    close() {
      client.destroy();
    },
  };
}
