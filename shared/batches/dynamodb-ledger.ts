import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDbFanIn } from './dynamodb-fan-in';
import {
  ACCOUNT_KEY,
  ACTIVE_BATCHES,
  batchKey,
  conditional,
  decodeToken,
  encodeToken,
  executionKey,
  INDEX_NAME,
  type Item,
  num,
  partKey,
  settleParts,
  statusAmong,
  str,
  toBatch,
  toExecution,
} from './dynamodb-records';
import {
  type BatchLedger,
  type BatchRecord,
  type ClaimRequest,
  type ExecutionChange,
  type FreedClaims,
  NEW_BATCH_PROGRESS,
  type NewBatch,
  type Page,
  uniquePairs,
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

export interface DynamoDbLedgerOptions {
  tableName: string;
  /** Reads that must see every earlier write (batches, executions, slots) are strongly consistent. */
  consistentReads?: boolean;
}

/** The claims of `pairs` in a batch item as it was before a write freed them. */
const claimsOf = (item: Item | undefined, pairs: ReadonlyArray<{ pair: number }>): FreedClaims => {
  const running = item === undefined ? {} : toBatch(item).running;
  return Object.fromEntries(
    pairs.flatMap(({ pair }) => {
      const claim = running[String(pair)];
      return claim === undefined ? [] : [[String(pair), claim]];
    }),
  );
};

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
  /** The slots map must exist before a path in it can be set: creates the record once. */
  const ensureAccountRecord = async (): Promise<void> => {
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
  };

  const accountSlots: BatchLedger['accountSlots'] = async () => {
    const item = await get(ACCOUNT_KEY);
    return Object.fromEntries(
      Object.entries((item?.holders ?? {}) as Record<string, unknown>).map(([holder, at]) => [
        holder,
        num(at),
      ]),
    );
  };

  const settleMany: BatchLedger['settleMany'] = async (batchId, children) => {
    const unique = uniquePairs(children);
    if (unique.length === 0) return {};
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const { adds, removes, conditions } = settleParts(unique, names, values);
    let freed: FreedClaims | undefined;
    await conditional(async () => {
      const output = await doc.send(
        new UpdateCommand({
          TableName,
          Key: batchKey(batchId),
          UpdateExpression: `ADD ${adds.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      freed = claimsOf(output.Attributes, unique);
    });
    return freed;
  };

  const exchangeAccountSlots: BatchLedger['exchangeAccountSlots'] = async (
    release,
    take,
    limit,
    now,
  ) => {
    const given = [...new Set(release)];
    const taken = [...new Set(take)].filter((holder) => !given.includes(holder));
    if (taken.length > limit) return undefined;
    await ensureAccountRecord();
    const names: Record<string, string> = {};
    const sets = taken.map((holder, i) => {
      names[`#t${i}`] = holder;
      return `holders.#t${i} = if_not_exists(holders.#t${i}, :now)`;
    });
    const removes = given.map((holder, i) => {
      names[`#g${i}`] = holder;
      return `holders.#g${i}`;
    });
    // Counted as if none of `take` were held yet: a holder already there only makes it stricter.
    const conditions = [
      'size(holders) <= :room',
      ...removes.map((path) => `attribute_exists(${path})`),
    ];
    const update = [
      ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
      ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
    ];
    if (update.length === 0) return Object.keys(await accountSlots()).length;
    let held: number | undefined;
    const applied = await conditional(async () => {
      const output = await doc.send(
        new UpdateCommand({
          TableName,
          Key: ACCOUNT_KEY,
          UpdateExpression: update.join(' '),
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: {
            ':room': limit - taken.length + given.length,
            ...(sets.length > 0 ? { ':now': now } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      held = Object.keys((output.Attributes?.holders ?? {}) as Item).length;
    });
    return applied ? held : undefined;
  };

  return {
    ...dynamoDbFanIn(doc, TableName),

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
              ...NEW_BATCH_PROGRESS,
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

    claim: async (request: ClaimRequest) => {
      const names: Record<string, string> = {
        '#status': 'status',
        '#running': 'running',
        '#cursor': 'cursor',
      };
      const settling = uniquePairs(request.settling ?? []);
      const values: Record<string, unknown> = {
        ':running': 'RUNNING',
        ':cursor': request.cursor,
        ':next': request.cursor + request.fromCursor,
        ':room':
          request.maxConcurrentExecutions -
          request.fromRequeued.length -
          request.fromCursor +
          settling.length,
        ':claimId': request.claimId,
      };
      const sets = ['#cursor = :next', 'lastClaimId = :claimId'];
      const conditions = ['#status = :running', '#cursor = :cursor', 'size(#running) <= :room'];
      const settled = settleParts(settling, names, values);
      const removes: string[] = [...settled.removes];
      conditions.push(...settled.conditions);
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
        const holder = request.holders?.[String(pair)];
        values[`:r${i}`] = {
          a: attempt,
          t: request.now,
          ...(holder === undefined ? {} : { h: holder }),
        };
        conditions.push(`attribute_not_exists(#running.#r${i})`);
        sets.push(`#running.#r${i} = :r${i}`);
      });
      let after: BatchRecord | undefined;
      await conditional(async () => {
        const output = await doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(request.batchId),
            UpdateExpression: `SET ${sets.join(', ')}${settled.adds.length > 0 ? ` ADD ${settled.adds.join(', ')}` : ''}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            // Returned by the write itself: no read (and no read capacity) for the next round.
            ReturnValues: 'ALL_NEW',
          }),
        );
        after = output.Attributes === undefined ? undefined : toBatch(output.Attributes);
      });
      return after;
    },

    requeue: async (batchId, pair, attempt) => {
      let freed: FreedClaims | undefined;
      await conditional(async () => {
        const output = await doc.send(
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
            ReturnValues: 'ALL_OLD',
          }),
        );
        freed = claimsOf(output.Attributes, [{ pair }]);
      });
      return freed?.[String(pair)];
    },

    settle: async (batchId, pair, attempt, outcome) =>
      (await settleMany(batchId, [{ pair, attempt, outcome }]))?.[String(pair)],

    settleMany,

    finishBatch: (batchId, from, to, pairs, finishedAt, expiresAt, allowPending = false) =>
      conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: batchKey(batchId),
            UpdateExpression:
              'SET #status = :to, finishedAt = :at, expiresAt = :e REMOVE statusKey',
            ConditionExpression:
              '#status = :from AND (#cursor = :pairs OR :pending = :true) AND size(running) = :zero AND (:pending = :true OR size(requeued) = :zero)',
            ExpressionAttributeNames: { '#status': 'status', '#cursor': 'cursor' },
            ExpressionAttributeValues: {
              ':from': from,
              ':to': to,
              ':pairs': pairs,
              ':at': finishedAt,
              ':e': expiresAt,
              ':zero': 0,
              ':pending': allowPending || from === 'STOPPING',
              ':true': true,
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

    updateExecution: (batchId, pair, attempt, from, change: ExecutionChange, ifExecutionArn) => {
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
        'startedAt',
      ] as const) {
        const value = change[field];
        if (value === undefined) continue;
        values[`:${field}`] = value;
        sets.push(`${field} = :${field}`);
      }
      const allowed = statusAmong(from, values);
      if (ifExecutionArn !== undefined) values[':ifArn'] = ifExecutionArn;
      return conditional(() =>
        doc.send(
          new UpdateCommand({
            TableName,
            Key: executionKey(batchId, pair),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attempt = :attempt AND (${allowed})${ifExecutionArn === undefined ? '' : ' AND executionArn = :ifArn'}`,
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
              // The results manifest is written right after the last end: it must see it.
              // (The status index answers eventually consistent reads only.)
              ConsistentRead: consistentReads,
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
      await ensureAccountRecord();
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

    acquireAccountSlots: async (holders, limit, now) =>
      holders.length === 0 || (await exchangeAccountSlots([], holders, limit, now)) !== undefined,

    exchangeAccountSlots,

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

    releaseAccountSlots: async (holders) => {
      const unique = [...new Set(holders)];
      if (unique.length === 0) return;
      // Removing a map key that is not there changes nothing, so no condition is needed.
      await doc
        .send(
          new UpdateCommand({
            TableName,
            Key: ACCOUNT_KEY,
            UpdateExpression: `REMOVE ${unique.map((_, i) => `holders.#h${i}`).join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: Object.fromEntries(
              unique.map((holder, i) => [`#h${i}`, holder]),
            ),
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        });
    },

    accountSlots,
  };
};
