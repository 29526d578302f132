import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_BATCHES, batchKey, conditional, executionKey } from './dynamodb-records';
import type { BatchLedger } from './ledger';

type FanInMethods = Pick<
  BatchLedger,
  'setBatchFields' | 'requestStop' | 'reopenBatch' | 'redriveExecution' | 'requeueRedriven'
>;

/**
 * The ledger writes of fan-in (stop, redrive, the callback and its answer), each one
 * conditional UpdateItem like the others (see dynamodb-ledger.ts).
 */
export const dynamoDbFanIn = (doc: DynamoDBDocumentClient, TableName: string): FanInMethods => ({
  setBatchFields: (batchId, fields, ifCallbackToken) => {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => {
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        return `#${field} = :${field}`;
      });
    if (sets.length === 0) return Promise.resolve(true);
    let condition = 'attribute_exists(pk)';
    if (ifCallbackToken !== undefined) {
      names['#cb'] = 'callback';
      values[':token'] = ifCallbackToken;
      condition += ' AND #cb.#token = :token';
      names['#token'] = 'token';
    }
    return conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: batchKey(batchId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  },

  requestStop: (batchId) =>
    conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: batchKey(batchId),
          UpdateExpression: 'SET #status = :stopping',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':stopping': 'STOPPING', ':running': 'RUNNING' },
        }),
      ),
    ),

  reopenBatch: (batchId, from) => {
    const values: Record<string, unknown> = { ':running': 'RUNNING', ':active': ACTIVE_BATCHES };
    const allowed = from.map((status, i) => {
      values[`:from${i}`] = status;
      return `#status = :from${i}`;
    });
    return conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: batchKey(batchId),
          UpdateExpression:
            'SET #status = :running, statusKey = :active REMOVE finishedAt, expiresAt',
          ConditionExpression: allowed.join(' OR '),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  },

  redriveExecution: (batchId, pair, fromAttempt, clientRequestToken) =>
    conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: executionKey(batchId, pair),
          UpdateExpression:
            'SET attempt = :next, #status = :pending, statusKey = :statusKey, clientRequestToken = :token, redrivenFrom = #status, ambiguous = :false REMOVE executionArn, endedAt, startedAt, expiresAt',
          ConditionExpression: 'attempt = :attempt AND (#status = :failed OR #status = :stopped)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':attempt': fromAttempt,
            ':next': fromAttempt + 1,
            ':pending': 'PENDING',
            ':statusKey': `${batchId}#PENDING`,
            ':token': clientRequestToken,
            ':failed': 'FAILED',
            ':stopped': 'STOPPED',
            ':false': false,
          },
        }),
      ),
    ),

  requeueRedriven: (batchId, pair, attempt, from) =>
    conditional(() =>
      doc.send(
        new UpdateCommand({
          TableName,
          Key: batchKey(batchId),
          UpdateExpression: 'SET #requeued.#p = :a ADD #count :minus',
          ConditionExpression:
            'attribute_not_exists(#requeued.#p) AND attribute_not_exists(#running.#p)',
          ExpressionAttributeNames: {
            '#requeued': 'requeued',
            '#running': 'running',
            '#p': String(pair),
            '#count': from.toLowerCase(),
          },
          ExpressionAttributeValues: { ':a': attempt, ':minus': -1 },
        }),
      ),
    ),
});
