/**
 * `npm run local -- <command>`:
 *   run <definition.json> [--param Name=Value ...] [--with other.json ...]  one execution, in-process
 *   callbacks [--endpoint URL]                                             waiting callback messages
 *   succeed <token> [--output Name=Value ...] [--endpoint URL]             complete a callback
 *   fail <token> [--reason text] [--endpoint URL]                          fail a callback
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { listAllSteps, localSageMakerClient, readPipelineDir, upsertPipeline } from '../client';
import { compileDefinition, DefinitionError } from '../engine/definition';
import { QUIET_HANDLER_ENV, startLocalRuntime } from '../index';
import { knobsFromEnv, knobsFromFlags } from '../knobs';
import type { QueuedCallback } from '../runtime';
import { flag, pairsFlag, parseArgs, UsageError } from './args';
import { DEFAULT_RUNTIME_PORT, defaultEndpoint } from './defaults';
import { executionStatus, stepTree } from './render';

const USAGE = `usage: npm run local -- <command>
  run <definition.json> [--param Name=Value ...] [--with other-pipeline.json ...] [--alone] [--name pipeline-name]
      [--lambda-timeout-ms N] [--event-target FUNCTION ...] [knob flags of npm start, e.g. --latency-ms 50]
      Runs one execution in-process, prints the step tree, exits 0 when it succeeds and 1 otherwise.
      The valid definitions next to it are created too (its fan-out children), unless --alone.
  callbacks [--endpoint URL]
      Lists Callback steps waiting on a running runtime (npm start).
  succeed <token> [--output Name=Value ...] [--endpoint URL]
  fail <token> [--reason text] [--endpoint URL]
      Completes a waiting Callback step (SendPipelineExecutionStepSuccess / ...Failure).
The endpoint defaults to $LOCAL_SAGEMAKER_ENDPOINT or http://127.0.0.1:${DEFAULT_RUNTIME_PORT}.`;

type Out = (line: string) => void;

function endpointOf(args: ReturnType<typeof parseArgs>): string {
  return flag(args, 'endpoint') ?? defaultEndpoint();
}

function isDefinition(text: string): boolean {
  try {
    compileDefinition(text);
    return true;
  } catch (error) {
    if (error instanceof DefinitionError) return false;
    throw error;
  }
}

async function run(args: ReturnType<typeof parseArgs>, out: Out): Promise<number> {
  const file = args.positionals[1];
  if (!file) throw new UsageError('run needs a definition file');
  const timeout = flag(args, 'lambda-timeout-ms');
  const local = await startLocalRuntime({
    ...(timeout ? { lambdaTimeoutMs: Number(timeout) } : {}),
    knobs: { ...knobsFromEnv(), ...knobsFromFlags((name) => flag(args, name)) },
    eventTargets: args.flags.get('event-target') ?? [],
    handlerDefaults: QUIET_HANDLER_ENV,
  });
  const client = localSageMakerClient(local.url);
  try {
    for (const other of args.flags.get('with') ?? []) {
      await upsertPipeline(client, {
        name: basename(other, '.json'),
        path: other,
        definition: readFileSync(resolve(other), 'utf8'),
      });
    }
    if (!args.flags.has('alone')) {
      // The pipelines a definition starts (fan-out children) usually sit next to it.
      const siblings = readPipelineDir(dirname(resolve(file))).filter(
        (p) => p.path !== resolve(file) && isDefinition(p.definition),
      );
      for (const sibling of siblings) await upsertPipeline(client, sibling);
      if (siblings.length > 0) out(`also created: ${siblings.map((p) => p.name).join(', ')}`);
    }
    const definition = readFileSync(resolve(file), 'utf8');
    const name = flag(args, 'name') ?? basename(file, '.json');
    await upsertPipeline(client, { name, path: file, definition });
    const { PipelineExecutionArn: arn } = await client.send(
      new StartPipelineExecutionCommand({
        PipelineName: name,
        PipelineParameters: pairsFlag(args, 'param'),
        ClientRequestToken: randomUUID(),
      }),
    );
    out(`${name}: ${arn}`);
    const status = await local.runtime.waitForExecution(arn as string);
    const steps = await listAllSteps(client, arn as string);
    out(stepTree(compileDefinition(definition).definition.Steps, steps).join('\n'));
    out(`${name}: ${executionStatus(status, steps)}`);
    const others = local.runtime.executionArns().filter((a) => a !== arn);
    if (others.length > 0) {
      await Promise.all(others.map((a) => local.runtime.waitForExecution(a)));
      out(`${others.length} other execution(s) ran (started by the pipeline's functions)`);
    }
    return status === 'Succeeded' ? 0 : 1;
  } finally {
    client.destroy();
    await local.close();
  }
}

async function callbacks(args: ReturnType<typeof parseArgs>, out: Out): Promise<number> {
  const endpoint = endpointOf(args);
  const response = await fetch(`${endpoint}/_local/callbacks`);
  if (!response.ok) throw new Error(`GET ${endpoint}/_local/callbacks answered ${response.status}`);
  const { callbacks: list } = (await response.json()) as { callbacks: QueuedCallback[] };
  if (list.length === 0) out('no callback steps are waiting');
  for (const message of list) {
    out(
      `${message.token}  ${message.stepName}  ${message.status}  ${message.pipelineExecutionArn}`,
    );
    out(`    arguments: ${JSON.stringify(message.arguments)}`);
  }
  return 0;
}

async function complete(
  args: ReturnType<typeof parseArgs>,
  out: Out,
  success: boolean,
): Promise<number> {
  const token = args.positionals[1];
  if (!token) throw new UsageError(`${success ? 'succeed' : 'fail'} needs a callback token`);
  const client = localSageMakerClient(endpointOf(args));
  try {
    const result = success
      ? await client.send(
          new SendPipelineExecutionStepSuccessCommand({
            CallbackToken: token,
            OutputParameters: pairsFlag(args, 'output'),
          }),
        )
      : await client.send(
          new SendPipelineExecutionStepFailureCommand({
            CallbackToken: token,
            FailureReason: flag(args, 'reason') ?? 'failed from the local CLI',
          }),
        );
    out(`${success ? 'succeeded' : 'failed'} callback ${token} of ${result.PipelineExecutionArn}`);
    return 0;
  } finally {
    client.destroy();
  }
}

/** Runs the CLI with argv (without node and script); resolves to the exit code. */
export async function main(
  argv: string[],
  out: Out = console.log,
  err: Out = console.error,
): Promise<number> {
  // The SDK's notice about Node 20 support is noise in CLI output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    const args = parseArgs(argv, ['alone']);
    switch (args.positionals[0]) {
      case 'run':
        return await run(args, out);
      case 'callbacks':
        return await callbacks(args, out);
      case 'succeed':
        return await complete(args, out, true);
      case 'fail':
        return await complete(args, out, false);
      default:
        err(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n${USAGE}`);
      return 2;
    }
    err(`error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
