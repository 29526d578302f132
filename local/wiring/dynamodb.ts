/**
 * DynamoDB for local mode: dynalite (a real DynamoDB API in this process, in memory) with every
 * `AWS::DynamoDB::Table` resource of serverless.yml created as its definition says.
 */
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type JsonObject, localNameOf, type ServerlessTemplate } from './template';

export interface LocalDynamoDb {
  endpoint: string;
  /** Local names of the tables created. */
  tables: string[];
  /** DynamoDB API requests answered so far (table creation included). */
  requests(): number;
  close(): Promise<void>;
}

/** The CreateTable input for a table resource (what CloudFormation would send). */
export const createTableInput = (name: string, resource: JsonObject): CreateTableCommandInput => {
  const properties = (resource.Properties ?? {}) as Record<string, unknown>;
  const pick = <T>(key: string): T | undefined => properties[key] as T | undefined;
  return {
    TableName: name,
    BillingMode: pick('BillingMode') ?? 'PAY_PER_REQUEST',
    AttributeDefinitions: pick<AttributeDefinition[]>('AttributeDefinitions') ?? [],
    KeySchema: pick('KeySchema') ?? [],
    ...(pick('GlobalSecondaryIndexes')
      ? { GlobalSecondaryIndexes: pick('GlobalSecondaryIndexes') }
      : {}),
    ...(pick('LocalSecondaryIndexes')
      ? { LocalSecondaryIndexes: pick('LocalSecondaryIndexes') }
      : {}),
    ...(pick('ProvisionedThroughput')
      ? { ProvisionedThroughput: pick('ProvisionedThroughput') }
      : {}),
  };
};

/** Starts dynalite on 127.0.0.1 (a free port unless given) and creates the template's tables. */
export async function startLocalDynamoDb(
  template: ServerlessTemplate,
  options: { port?: number; region: string },
): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  let requests = 0;
  server.on('request', () => {
    requests += 1;
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({
    endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables: string[] = [];
  try {
    for (const [logicalId, resource] of Object.entries(template.resources)) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const name = localNameOf(logicalId, resource);
      await client.send(new CreateTableCommand(createTableInput(name, resource)));
      for (let attempt = 0; ; attempt++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE') break;
        if (attempt > 200) throw new Error(`table ${name} did not become ACTIVE`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      tables.push(name);
    }
  } catch (error) {
    await close();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tables, requests: () => requests, close };
}
