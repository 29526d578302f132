import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** Starts dynalite in this process on 127.0.0.1, on a free port, in memory. */
export const startDynalite = async (): Promise<{ endpoint: string; stop: () => Promise<void> }> => {
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
