/** Setup shared by the API tests: a runtime on port 0 with fake functions and an SDK client. */
import {
  CreatePipelineCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach } from 'vitest';
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from '../../../local/index';
import { deferred, definition, type FakeFunction, fakeInvoker, lambdaStep } from './runtime';

export const ROLE = 'arn:aws:iam::123456789012:role/test-role';
export const TOKEN = (n: number | string) => `token-${String(n)}`.padEnd(32, '0');
const opened: { local: LocalRuntime; client: SageMakerClient }[] = [];

afterEach(async () => {
  for (const { local, client } of opened.splice(0)) {
    client.destroy();
    await local.close();
  }
});

export async function setup(
  functions: Record<string, FakeFunction> = {},
  options: Omit<LocalRuntimeOptions, 'invoker'> = {},
) {
  const invoker = fakeInvoker({ echo: (p) => ({ out: `got ${JSON.stringify(p)}` }), ...functions });
  const local = await startLocalRuntime({ ...options, invoker });
  const client = new SageMakerClient({
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  opened.push({ local, client });
  return { local, client, invoker };
}

export const simple = definition(
  [lambdaStep('only', 'echo', { p: { Get: 'Parameters.P' } }, { out: 'String' })],
  [
    { Name: 'P', Type: 'String', DefaultValue: 'default-p' },
    { Name: 'N', Type: 'Integer', DefaultValue: 1 },
    { Name: 'F', Type: 'Float', DefaultValue: 0.5 },
    { Name: 'B', Type: 'Boolean', DefaultValue: false },
  ],
);

export async function create(
  client: SageMakerClient,
  name: string,
  text = simple,
  token = TOKEN(name),
) {
  return client.send(
    new CreatePipelineCommand({
      PipelineName: name,
      PipelineDefinition: text,
      RoleArn: ROLE,
      ClientRequestToken: token,
    }),
  );
}

export async function startAndWait(
  local: LocalRuntime,
  client: SageMakerClient,
  input: ConstructorParameters<typeof StartPipelineExecutionCommand>[0],
) {
  const { PipelineExecutionArn } = await client.send(new StartPipelineExecutionCommand(input));
  const arn = PipelineExecutionArn as string;
  return { arn, status: await local.runtime.waitForExecution(arn) };
}

/**
 * A runtime with a pipeline `slow` of `steps` chained Lambda steps that each wait until the test
 * opens `gate`, so executions stay running as long as the test needs.
 */
export async function setupSlow(steps = 2, options: Omit<LocalRuntimeOptions, 'invoker'> = {}) {
  const gate = deferred();
  const context = await setup({ slow: () => gate.promise.then(() => ({})) }, options);
  const chain = Array.from({ length: steps }, (_, i) =>
    lambdaStep(`s${i}`, 'slow', {}, {}, i === 0 ? {} : { DependsOn: [`s${i - 1}`] }),
  );
  await create(context.client, 'slow', definition(chain));
  return { ...context, gate };
}
