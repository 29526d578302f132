/**
 * moto_server (`pip install "moto[server]"`) on 127.0.0.1, on a free port: the S3, DynamoDB and
 * SageMaker endpoint of the benchmarks and of the adapter tests. Stopped by its process id.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });

export interface MotoServer {
  endpoint: string;
  stop(): void;
}

export const startMotoServer = async (): Promise<MotoServer> => {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'moto_server is not on PATH: install it with `pip install "moto[server]"`'
            : `moto_server could not start: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`)));
  });
  failed.catch(() => undefined);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid);
  };
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await Promise.race([fetch(`${endpoint}/moto-api/`), failed]);
      return { endpoint, stop };
    } catch (error) {
      if (child.exitCode !== null || (error as Error).message.startsWith('moto_server')) {
        stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  stop();
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
};
