import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { dynamoDbLedger } from '../../../shared/batches/dynamodb-ledger';
import type { BatchLedger } from '../../../shared/batches/ledger';

/** The ledger table's CloudFormation resource: the file serverless.yml's `BatchLedgerTable` is. */
export const TABLE_RESOURCE_PATH = resolve(
  import.meta.dirname,
  '../../../serverless/batch-ledger-table.json',
);

interface TableResource {
  Properties: {
    BillingMode: 'PAY_PER_REQUEST';
    AttributeDefinitions: AttributeDefinition[];
    KeySchema: KeySchemaElement[];
    GlobalSecondaryIndexes: GlobalSecondaryIndex[];
  };
}

export const tableResource = (): TableResource =>
  JSON.parse(readFileSync(TABLE_RESOURCE_PATH, 'utf8')) as TableResource;

/** A DynamoDB client for a local endpoint, with throwaway credentials. */
export const localDynamoDb = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

/** Creates the ledger table, as serverless.yml defines it, and waits until it is active. */
export const createLedgerTable = async (client: DynamoDBClient, tableName: string) => {
  const { Properties } = tableResource();
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: Properties.BillingMode,
      AttributeDefinitions: Properties.AttributeDefinitions,
      KeySchema: Properties.KeySchema,
      GlobalSecondaryIndexes: Properties.GlobalSecondaryIndexes,
    }),
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`Table ${tableName} did not become active`);
};

/** A fresh ledger table named `<prefix>-<random>`, and the ledger over it. */
export const newLedgerTable = async (
  client: DynamoDBClient,
  prefix: string,
): Promise<{ tableName: string; ledger: BatchLedger }> => {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createLedgerTable(client, tableName);
  return { tableName, ledger: dynamoDbLedger(client, { tableName }) };
};
