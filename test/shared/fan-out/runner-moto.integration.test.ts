import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreatePipelineCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayNameOf } from '../../../shared/fan-out/identity';
import { fanOutRequestSchema } from '../../../shared/fan-out/request';
import { runFanOut } from '../../../shared/fan-out/runner';
import { createSageMakerClient, sageMakerPort } from '../../../shared/fan-out/sagemaker-client';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

/** Starts moto_server on 127.0.0.1 and waits until it answers; fails clearly when it is missing. */
const startMoto = async (): Promise<{ process: ChildProcess; endpoint: string }> => {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'moto_server is not on PATH: install it with `pip install "moto[server]"` to run the fan-out integration test'
            : `moto_server could not start: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let attempt = 0; attempt < 300; attempt++) {
      try {
        await fetch(`${endpoint}/moto-api/`);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (error) {
    child.kill();
    throw error;
  }
  spawnError.catch(() => undefined);
  return { process: child, endpoint };
};

const definition = JSON.stringify({
  Version: '2020-12-01',
  Parameters: [
    { Name: 'Item', Type: 'String' },
    { Name: 'Index', Type: 'Integer', DefaultValue: 0 },
  ],
  Steps: [],
});

describe('fan-out against moto_server', () => {
  let moto: { process: ChildProcess; endpoint: string } | undefined;
  let client: SageMakerClient;

  beforeAll(async () => {
    moto = await startMoto();
    client = createSageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint });
    for (const name of ['child-pipeline-1', 'child-pipeline-2']) {
      await client.send(
        new CreatePipelineCommand({
          PipelineName: name,
          PipelineDefinition: definition,
          RoleArn: 'arn:aws:iam::123456789012:role/pipeline-role',
          ClientRequestToken: `create-${name}-0000000000000000000000000`,
        }),
      );
    }
  });

  afterAll(() => {
    client?.destroy();
    if (moto?.process.pid !== undefined) process.kill(moto.process.pid);
  });

  it('starts exactly one execution per (pipeline, item) with the expected names and parameters', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ id: `item-${i}`, size: i * 10 }));
    const request = v.parse(fanOutRequestSchema, {
      pipelines: ['child-pipeline-1', 'child-pipeline-2'],
      items: JSON.stringify(items),
      batchKey: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/parent/execution/moto1',
      parameters: { Item: '{{item.id}}', Index: '{{index}}' },
      displayNamePrefix: 'moto',
    });
    const deps = {
      sagemaker: sageMakerPort(client),
      allowList: { kind: 'any' } as const,
      remainingTimeMs: () => 600_000,
    };
    const result = await runFanOut(request, deps);
    expect(result).toMatchObject({ requested: 50, started: 50, deferred: 0, failed: [] });

    for (const pipeline of ['child-pipeline-1', 'child-pipeline-2']) {
      const listed = await client.send(
        new ListPipelineExecutionsCommand({ PipelineName: pipeline }),
      );
      const summaries = listed.PipelineExecutionSummaries ?? [];
      expect(summaries).toHaveLength(25);
      expect(summaries.map((s) => s.PipelineExecutionDisplayName).sort()).toEqual(
        items.map((_, i) => displayNameOf('moto', result.batchId, i)).sort(),
      );
      for (const summary of summaries) {
        const index = Number(summary.PipelineExecutionDisplayName?.split('-').pop());
        const { PipelineParameters } = await client.send(
          new ListPipelineParametersForExecutionCommand({
            PipelineExecutionArn: summary.PipelineExecutionArn,
          }),
        );
        expect(PipelineParameters).toEqual([
          { Name: 'Item', Value: `item-${index}` },
          { Name: 'Index', Value: String(index) },
        ]);
        expect(JSON.parse(summary.PipelineExecutionDescription ?? '')).toEqual({
          batchId: result.batchId,
          index,
          pipeline,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          fingerprint: expect.objectContaining({ items: expect.stringMatching(/^[0-9a-f]{16}$/) }),
        });
      }
    }

    // Re-sending finds every execution by its display name and starts none.
    const again = await runFanOut(request, deps);
    expect(again.started).toBe(50);
    expect(again.executions).toEqual(result.executions);
    const listed = await client.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'child-pipeline-1' }),
    );
    expect(listed.PipelineExecutionSummaries).toHaveLength(25);
  });
});
