import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createSageMakerClient } from '../../../shared/fan-out/sagemaker-client';

/** How the scripted service answers one HTTP request. */
export type Answer = 'ok' | 'throttled' | 'server-error';

export interface ScriptedRequest {
  operation: string;
  input: Record<string, unknown>;
}

/**
 * Decides each StartPipelineExecution answer from the request and how many requests with
 * the same ClientRequestToken came before (0 for the first attempt).
 */
export type Script = (request: ScriptedRequest, earlier: number) => Answer;

/**
 * SageMaker's JSON protocol on 127.0.0.1, answering StartPipelineExecution as `script` says
 * and ListPipelineExecutions with no executions, behind the production client
 * (`createSageMakerClient`): the SDK's own retries run against real HTTP answers, as they
 * do against SageMaker. Counts every answer it sends.
 */
export const startScriptedSageMaker = async (script: Script) => {
  const perToken = new Map<string, number>();
  const answered: Record<Answer, number> = { ok: 0, throttled: 0, 'server-error': 0 };
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((request, response) => {
    void read(request).then((body) => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      const send = (status: number, payload: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        response.end(JSON.stringify(payload));
      };
      if (operation !== 'StartPipelineExecution') {
        send(200, { PipelineExecutionSummaries: [] });
        return;
      }
      const token = String(input.ClientRequestToken);
      const earlier = perToken.get(token) ?? 0;
      perToken.set(token, earlier + 1);
      const answer = script({ operation, input }, earlier);
      answered[answer]++;
      if (answer === 'throttled') {
        send(
          400,
          { __type: 'ThrottlingException', message: 'Rate exceeded' },
          'ThrottlingException',
        );
      } else if (answer === 'server-error') {
        send(500, { __type: 'InternalFailure', message: 'Internal error' }, 'InternalFailure');
      } else {
        send(200, {
          PipelineExecutionArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${String(input.PipelineName)}/execution/${token.slice(0, 12)}`,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client: SageMakerClient = createSageMakerClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
  });
  return {
    client,
    /** StartPipelineExecution answers sent, by kind, the SDK's retries included. */
    answered,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export type ScriptedSageMaker = Awaited<ReturnType<typeof startScriptedSageMaker>>;

/** Answers each token's first `answers.length` attempts in turn, then `ok`. */
export const inTurn =
  (...answers: Answer[]): Script =>
  (_request, earlier) =>
    answers[earlier] ?? 'ok';
