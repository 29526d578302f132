/**
 * DynamoDB for local mode: dynalite (a real DynamoDB API, in memory, in a worker thread of this
 * process) with every `AWS::DynamoDB::Table` resource of serverless.yml created as its definition
 * says.
 */
import { createRequire } from 'node:module';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LocalError } from '../errors';
import { type JsonObject, localNameOf, type ServerlessTemplate } from './template';

/** dynalite did not start, or a table of serverless.yml could not be created. */
export class LocalDynamoDbError extends LocalError {}

export interface LocalDynamoDb {
  endpoint: string;
  /** Local names of the tables created. */
  tables: string[];
  /** DynamoDB API requests answered so far (table creation included). */
  requests(): Promise<number>;
  /** The same requests by operation (`PutItem`, `UpdateItem`, ...), counted where dynalite runs. */
  operations(): Promise<Record<string, number>>;
  /** The event loop utilisation of dynalite's thread since it started, or since `since`. */
  utilization(since?: EventLoopUtilization): EventLoopUtilization;
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

/**
 * dynalite's server, in a worker thread so that its work does not queue behind the runtime's and
 * the functions' on one thread: CommonJS evaluated in the worker, dynalite required by path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let requests = 0;
const operations = {};
server.on('request', (request) => {
  requests += 1;
  const operation = String(request.headers['x-amz-target'] || '').split('.').pop();
  operations[operation] = (operations[operation] || 0) + 1;
});
server.once('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'requests') parentPort.postMessage({ requests, operations });
  if (message === 'close') server.close(() => parentPort.close());
});
`;

/** Starts dynalite on 127.0.0.1 (a free port unless given) and creates the template's tables. */
export async function startLocalDynamoDb(
  template: ServerlessTemplate,
  options: { port?: number; region: string },
): Promise<LocalDynamoDb> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('dynalite'),
      port: options.port ?? 0,
    },
  });
  const answer = <T>(predicate: (message: Record<string, unknown>) => boolean) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (typeof message.error === 'string')
          reject(new LocalDynamoDbError(`dynalite: ${message.error}`));
        else if (predicate(message)) {
          worker.off('message', onMessage);
          resolve(message as T);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const { port } = await answer<{ port: number }>((message) => typeof message.port === 'number');
  const endpoint = `http://127.0.0.1:${port}`;
  const close = async () => {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    await worker.terminate();
  };
  const counts = async () => {
    const counted = answer<{ requests: number; operations: Record<string, number> }>(
      (message) => typeof message.requests === 'number',
    );
    worker.postMessage('requests');
    return counted;
  };
  const requests = async () => (await counts()).requests;
  const operations = async () => (await counts()).operations;
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
        if (attempt > 200) throw new LocalDynamoDbError(`table ${name} did not become ACTIVE`);
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
  const utilization = (since?: EventLoopUtilization) =>
    worker.performance.eventLoopUtilization(since);
  return { endpoint, tables, requests, operations, utilization, close };
}
