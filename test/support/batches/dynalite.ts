import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';
import { startMoto } from '../moto';
import { localDynamoDb } from './table';

/** A local server of the DynamoDB API. */
export interface DynamoDbServer {
  endpoint: string;
  stop: () => Promise<void>;
}

/** Starts dynalite in this process on 127.0.0.1, on a free port, in memory. */
export const startDynalite = async (): Promise<DynamoDbServer> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Two independent implementations of the DynamoDB API, for `describe.each`. */
export const DYNAMODB_SERVERS = [
  ['dynalite', startDynalite],
  [
    'moto_server',
    async (): Promise<DynamoDbServer> => {
      const moto = await startMoto();
      return { endpoint: moto.endpoint, stop: async () => moto.stop() };
    },
  ],
] as const;

/**
 * Starts a DynamoDB server (dynalite unless `start` says otherwise) before the suite's tests and
 * hands `ready` a client of it and the server; destroys the client and stops the server after them.
 */
export const useDynamoDb = (
  ready: (client: DynamoDBClient, server: DynamoDbServer) => unknown,
  start: () => Promise<DynamoDbServer> = startDynalite,
): void => {
  let server: DynamoDbServer | undefined;
  let client: DynamoDBClient | undefined;
  beforeAll(async () => {
    server = await start();
    client = localDynamoDb(server.endpoint);
    await ready(client, server);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
};
