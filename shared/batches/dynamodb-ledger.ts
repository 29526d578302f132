import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidPageTokenError } from './errors';
import type {
  BatchLedger,
  BatchRecord,
  BatchStatus,
  ClaimRequest,
  ExecutionChange,
  ExecutionRecord,
  ExecutionStatus,
  NewBatch,
  Page,
} from './ledger';

/**
 * The ledger in one DynamoDB table (defined in serverless.yml, `BatchLedgerTable`):
 * - `pk = B#<batchId>`, `sk = BATCH`: the batch;
 * - `sk = REQ#<fingerprint>#<part>`: its stored request;
 * - `sk = X#<pair>`: one started (pipeline, item);
 * - `pk = ACCOUNT`, `sk = SLOTS`: the account-wide slots, a map of holder to time taken.
 * The `by-status` index (`statusKey`, `sk`) holds active batches under `ACTIVE` and each
 * execution under `<batchId>#<status>`. Every write is one conditional PutItem or
 * UpdateItem; its condition makes a second application change nothing.
 */

export const INDEX_NAME = 'by-status';
export const ACTIVE_BATCHES = 'ACTIVE';
const BATCH_SK = 'BATCH';
const ACCOUNT_KEY = { pk: 'ACCOUNT', sk: 'SLOTS' };

const batchKey = (batchId: string) => ({ pk: `B#${batchId}`, sk: BATCH_SK });
const executionSk = (pair: number) => `X#${String(pair).padStart(9, '0')}`;
const executionKey = (batchId: string, pair: number) => ({
  pk: `B#${batchId}`,
  sk: executionSk(pair),
});
const partKey = (batchId: string, fingerprint: string, part: number) => ({
  pk: `B#${batchId}`,
  sk: `REQ#${fingerprint.slice(0, 32)}#${String(part).padStart(4, '0')}`,
});

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** Runs a conditional write: `true` when applied, `false` when its condition failed. */
const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

type Item = Record<string, unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const toBatch = (item: Item): BatchRecord => ({
  batchId: String(item.batchId),
  batchKey: String(item.batchKey),
  fingerprint: String(item.fingerprint),
  fingerprintParts: (item.fingerprintParts ?? {}) as Record<string, string>,
  requestParts: num(item.requestParts),
  createdAt: String(item.createdAt),
  createdBy: String(item.createdBy),
  status: item.status as BatchStatus,
  pipelineCount: num(item.pipelineCount),
  itemCount: num(item.itemCount),
  pairs: num(item.pairs),
  maxConcurrentExecutions: num(item.maxConcurrentExecutions),
  cursor: num(item.cursor),
  running: Object.fromEntries(
    Object.entries((item.running ?? {}) as Record<string, Item>).map(([pair, claim]) => [
      pair,
      { attempt: num(claim.a), claimedAt: num(claim.t) },
    ]),
  ),
  requeued: Object.fromEntries(
    Object.entries((item.requeued ?? {}) as Record<string, unknown>).map(([pair, attempt]) => [
      pair,
      num(attempt),
    ]),
  ),
  succeeded: num(item.succeeded),
  failed: num(item.failed),
  stopped: num(item.stopped),
  lastClaimId: str(item.lastClaimId),
  finishedAt: str(item.finishedAt),
});

const toExecution = (item: Item): ExecutionRecord => ({
  batchId: String(item.batchId),
  pair: num(item.pair),
  pipeline: String(item.pipeline),
  itemIndex: num(item.itemIndex),
  attempt: num(item.attempt),
  clientRequestToken: String(item.clientRequestToken),
  status: item.status as ExecutionStatus,
  executionArn: str(item.executionArn),
  failureReason: str(item.failureReason),
  claimedAt: num(item.claimedAt),
  ambiguous: item.ambiguous === true,
  endedAt: str(item.endedAt),
});

/** A page token: the last key, as base64url JSON. Checked on the way back in. */
const encodeToken = (key: Item | undefined): string | undefined =>
  key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeToken = (token: string | undefined, pk: string | undefined): Item | undefined => {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidPageTokenError({ cause });
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new InvalidPageTokenError();
  }
  const record = key as Item;
  const values = Object.values(record);
  if (
    values.length < 2 ||
    values.length > 4 ||
    values.some((value) => typeof value !== 'string') ||
    (pk !== undefined && record.pk !== pk)
  ) {
    throw new InvalidPageTokenError();
  }
  return record;
};

export interface DynamoDbLedgerOptions {
  tableName: string;
  /** Reads that must see every earlier write (batches, executions, slots) are strongly consistent. */
  consistentReads?: boolean;
}

/** The ledger over a DynamoDB client (the SDK's, pointed at AWS, dynalite or moto). */
export const dynamoDbLedger = (
  client: DynamoDBClient,
  { tableName, consistentReads = true }: DynamoDbLedgerOptions,
): BatchLedger => {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = tableName;
  let accountRecord: Promise<boolean> | undefined;
  const get = async (Key: Item): Promise<Item | undefined> =>
    (await doc.send(new GetCommand({ TableName, Key, ConsistentRead: consistentReads }))).Item;

  return {
    getBatch: async (batchId) => {
      const item = await get(batchKey(batchId));
      return item === undefined ? undefined : toBatch(item);
    },

    createBatch: (batch: NewBatch) =>
      conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...batchKey(batch.batchId),
              ...batch,
              statusKey: ACTIVE_BATCHES,
              cursor: 0,
              running: {},
              requeued: {},
              succeeded: 0,
              failed: 0,
              stopped: 0,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    putRequestPart: async (batchId, fingerprint, part, body) => {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...partKey(batchId, fingerprint, part), body },
          // The same fingerprint and part always hold the same body: rewriting it is harmless.
        }),
      );
    },

    getRequestPart: async (batchId, fingerprint, part) =>
      str((await get(partKey(batchId, fingerprint, part)))?.body),

    expireRequestPart: async (batchId, fingerprint, part, expiresAt) => {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: partKey(batchId, fingerprint, part),
            UpdateExpression: 'SET expiresAt = :e',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':e': expiresAt },
          }),
        ),
      );
    },

    claim: (request: ClaimRequest) => {
      const names: Record<string, string> = {
        '#status': 'status',
        '#running': 'running',
        '#cursor': 'cursor',
      };
      const values: Record<string, unknown> = {
        ':running': 'RUNNING',
        ':cursor': request.cursor,
        ':next': request.cursor + request.fromCursor,
        ':room': request.maxConcurrentExecutions - request.fromRequeued.length - request.fromCursor,
        ':claimId': request.claimId,
      };
      const sets = ['#cursor = :next', 'lastClaimId = :claimId'];
      const removes: string[] = [];
      const conditions = ['#status = :running', '#cursor = :cursor', 'size(#running) <= :room'];
      const claimed = [
        ...request.fromRequeued,
        ...Array.from({ length: request.fromCursor }, (_, i) => ({
          pair: request.cursor + i,
          attempt: 1,
        })),
      ];
      request.fromRequeued.forEach(({ pair }, i) => {
        names['#requeued'] = 'requeued';
        names[`#q${i}`] = String(pair);
        conditions.push(`attribute_exists(#requeued.#q${i})`);
        removes.push(`#requeued.#q${i}`);
      });
      claimed.forEach(({ pair, attempt }, i) => {
        names[`#r${i}`] = String(pair);
        values[`:r${i}`] = { a: attempt, t: request.now };
        conditions.push(`attribute_not_exists(#running.#r${i})`);
        sets.push(`#running.#r${i} = :r${i}`);
      });
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(request.batchId),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    requeue: (batchId, pair, attempt) =>
      conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(batchId),
            UpdateExpression: 'SET #requeued.#p = :a REMOVE #running.#p',
            ConditionExpression: '#running.#p.a = :a',
            ExpressionAttributeNames: {
              '#running': 'running',
              '#requeued': 'requeued',
              '#p': String(pair),
            },
            ExpressionAttributeValues: { ':a': attempt },
          }),
        ),
      ),

    settle: (batchId, pair, attempt, outcome) =>
      conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(batchId),
            UpdateExpression: 'ADD #count :one REMOVE #running.#p',
            ConditionExpression: '#running.#p.a = :a',
            ExpressionAttributeNames: {
              '#running': 'running',
              '#p': String(pair),
              '#count': outcome.toLowerCase(),
            },
            ExpressionAttributeValues: { ':a': attempt, ':one': 1 },
          }),
        ),
      ),

    finishBatch: (batchId, from, to, pairs, finishedAt, expiresAt) =>
      conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(batchId),
            UpdateExpression:
              'SET #status = :to, finishedAt = :at, expiresAt = :e REMOVE statusKey',
            ConditionExpression:
              '#status = :from AND (#cursor = :pairs OR :from = :stopping) AND size(running) = :zero AND (:from = :stopping OR size(requeued) = :zero)',
            ExpressionAttributeNames: { '#status': 'status', '#cursor': 'cursor' },
            ExpressionAttributeValues: {
              ':from': from,
              ':to': to,
              ':pairs': pairs,
              ':at': finishedAt,
              ':e': expiresAt,
              ':zero': 0,
              ':stopping': 'STOPPING',
            },
          }),
        ),
      ),

    getExecution: async (batchId, pair) => {
      const item = await get(executionKey(batchId, pair));
      return item === undefined ? undefined : toExecution(item);
    },

    createExecution: (record) =>
      conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...executionKey(record.batchId, record.pair),
              ...record,
              statusKey: `${record.batchId}#${record.status}`,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    updateExecution: (batchId, pair, attempt, from, change: ExecutionChange) => {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = {
        ':attempt': attempt,
        ':status': change.status,
        ':statusKey': `${batchId}#${change.status}`,
      };
      const sets = ['#status = :status', 'statusKey = :statusKey'];
      for (const field of [
        'executionArn',
        'failureReason',
        'claimedAt',
        'ambiguous',
        'endedAt',
        'expiresAt',
      ] as const) {
        const value = change[field];
        if (value === undefined) continue;
        values[`:${field}`] = value;
        sets.push(`${field} = :${field}`);
      }
      const allowed = from.map((status, i) => {
        values[`:from${i}`] = status;
        return `#status = :from${i}`;
      });
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: executionKey(batchId, pair),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attempt = :attempt AND (${allowed.join(' OR ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    listExecutions: async (batchId, { status, limit, nextToken }) => {
      const pk = `B#${batchId}`;
      const output = await doc.send(
        status === undefined
          ? new QueryCommand({
              TableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :x)',
              ExpressionAttributeValues: { ':pk': pk, ':x': 'X#' },
              Limit: limit,
              ExclusiveStartKey: decodeToken(nextToken, pk),
            })
          : new QueryCommand({
              TableName,
              IndexName: INDEX_NAME,
              KeyConditionExpression: 'statusKey = :s',
              ExpressionAttributeValues: { ':s': `${batchId}#${status}` },
              Limit: limit,
              ExclusiveStartKey: decodeToken(nextToken, pk),
            }),
      );
      return {
        records: (output.Items ?? []).map(toExecution),
        nextToken: encodeToken(output.LastEvaluatedKey),
      };
    },

    listActiveBatches: async (nextToken) => {
      const output = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: INDEX_NAME,
          KeyConditionExpression: 'statusKey = :s',
          ExpressionAttributeValues: { ':s': ACTIVE_BATCHES },
          ExclusiveStartKey: decodeToken(nextToken, undefined),
        }),
      );
      return {
        records: (output.Items ?? []).map((item) => String(item.batchId)),
        nextToken: encodeToken(output.LastEvaluatedKey),
      } satisfies Page<string>;
    },

    acquireAccountSlot: async (holder, limit, now) => {
      // The map must exist before a path in it can be set: create the record once.
      accountRecord ??= conditional(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...ACCOUNT_KEY, holders: {} },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).catch((error: unknown) => {
        accountRecord = undefined;
        throw error;
      });
      await accountRecord;
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: ACCOUNT_KEY,
            UpdateExpression: 'SET holders.#h = if_not_exists(holders.#h, :now)',
            ConditionExpression: 'attribute_exists(holders.#h) OR size(holders) < :limit',
            ExpressionAttributeNames: { '#h': holder },
            ExpressionAttributeValues: { ':now': now, ':limit': limit },
          }),
        ),
      );
    },

    releaseAccountSlot: async (holder) => {
      await conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: ACCOUNT_KEY,
            UpdateExpression: 'REMOVE holders.#h',
            ConditionExpression: 'attribute_exists(holders.#h)',
            ExpressionAttributeNames: { '#h': holder },
          }),
        ),
      );
    },

    accountSlots: async () => {
      const item = await get(ACCOUNT_KEY);
      return Object.fromEntries(
        Object.entries((item?.holders ?? {}) as Record<string, unknown>).map(([holder, at]) => [
          holder,
          num(at),
        ]),
      );
    },
  };
};
