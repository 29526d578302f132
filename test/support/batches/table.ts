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
