/**
 * `npm start`: the project end to end on this machine. Starts the local SageMaker runtime and
 * serverless-offline, creates every pipeline in `pipelines/`, starts `parent`, shows its steps
 * live, then the child executions the fan-out started, and keeps serving until Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribePipelineExecutionCommand,
  ListPipelineParametersForExecutionCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import {
  listAllExecutions,
  listAllSteps,
  localSageMakerClient,
  readPipelineDir,
  upsertPipeline,
} from '../client';
import { EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE } from '../events';
import { type LocalRuntime, startLocalRuntime } from '../index';
import { loadFunctionCatalog, PROJECT_ROOT } from '../invokers/catalog';
import { createInProcessInvoker, LOCAL_AWS_ENV, QUIET_HANDLER_ENV } from '../invokers/in-process';
import { createLambdaClientInvoker, type LambdaClientInvoker } from '../invokers/lambda-client';
import type { LambdaInvoker } from '../invokers/types';
import { KNOB_SPECS, knobsFromEnv, knobsFromFlags } from '../knobs';
import { DEFAULT_LAMBDA_STEP_TIMEOUT_MS } from '../runtime';
import { DEFAULT_SCHEDULE_EVERY_MS } from '../wiring';
import { flag, type ParsedArgs, pairsFlag, parseArgs, portFlag, UsageError } from './args';
import { watchBatchProgress } from './batch-progress';
import { DEFAULT_RUNTIME_PORT, DEFAULT_S3_PORT, LOCAL_HOST } from './defaults';
import { type OfflineProcess, OfflineStartError, startOffline } from './offline';
import { executionStatus, progressBar, stepLine, table } from './render';
import { tryNextLines } from './try-next';

const USAGE = `usage: npm start -- [options]
  --port N                 local SageMaker API port (default ${DEFAULT_RUNTIME_PORT}; 0 picks a free one)
  --http-port N            serverless-offline HTTP API port (default 3000)
  --lambda-port N          serverless-offline Lambda invoke port (default 3002)
  --in-process             run the functions in this process instead of serverless-offline
  --stage NAME             stage of the deployed function names (default dev)
  --param Name=Value       parameter of the parent execution (repeatable)
  --pipelines DIR          folder of pipeline definitions (default pipelines/)
  --parent NAME            pipeline to start (default parent)
  --offline-timeout-ms N   how long to wait for serverless-offline (default 120000)
  --lambda-timeout-ms N    Lambda step timeout (default 600000, SageMaker's 10 minutes)
  --event-target FUNCTION  function (key or ARN) that receives every status event (repeatable)
  --account-concurrency-limit N
                           children all batches may run at once (serverless.yml's accountConcurrencyLimit, default 15)
  --reconcile-every-ms N   how often batch-reconcile (and any enabled schedule) runs (default 10000)
  --no-local-services      no dynalite, no EventBridge rules, SQS queues or schedules from serverless.yml
  --exit                   stop after the summary instead of serving
${KNOB_SPECS.map((k) => `  ${`${k.flag} V`.padEnd(25)}${k.help} [$${k.env}]`).join('\n')}`;

function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive number, got '${raw}'`);
  return value;
}

/** The parameter names a pipeline definition declares (none when it cannot be read). */
function parameterNamesOf(definition: string | undefined): string[] {
  try {
    const parsed = JSON.parse(definition ?? '{}') as { Parameters?: Array<{ Name?: unknown }> };
    return (parsed.Parameters ?? []).map((parameter) => String(parameter.Name));
  } catch {
    return [];
  }
}

function seconds(start?: Date, end?: Date): string {
  if (!start || !end) return '';
  return `${((end.getTime() - start.getTime()) / 1000).toFixed(1)} s`;
}

/** Runs `npm start`; resolves to the exit code once it stops (Ctrl-C, SIGTERM, or --exit). */
export async function main(argv: string[]): Promise<number> {
  // The SDK's notice about Node 20 support would interleave with the live view.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, ['in-process', 'exit', 'help', 'no-local-services']);
    if (args.flags.has('help')) {
      out(USAGE);
      return 0;
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const inProcess = args.flags.has('in-process');
  let local: LocalRuntime | undefined;
  let offline: OfflineProcess | undefined;
  let lambdaInvoker: LambdaClientInvoker | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      await offline?.stop();
      // Stopped: the exit hook below must not signal a process group id that may be reused.
      offline = undefined;
      lambdaInvoker?.close();
      await local?.close();
    })();
    return stopping;
  };
  let release: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    release = resolve;
  });
  const killOfflineNow = () => {
    if (!offline) return;
    try {
      process.kill(-offline.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Last resort if this process dies another way: never leave serverless-offline behind.
  process.once('exit', killOfflineNow);
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // npm and tsx pass the terminal's signal on, so one Ctrl-C can arrive twice: repeats within
    // two seconds are the same request; a later one forces the exit.
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 2000) return;
      killOfflineNow();
      process.exit(130);
    }
    firstSignalAt = Date.now();
    out(
      `\n${signal}: stopping${offline ? ` serverless-offline (pid ${offline.pid}) and` : ''} the runtime...`,
    );
    void stopAll().then(() => release(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // A signal may come at any point (even mid start-up): it wins over whatever is in progress.
  return Promise.race([run(), stopped]);

  async function run(): Promise<number> {
    try {
      const port = portFlag(args, 'port', DEFAULT_RUNTIME_PORT);
      const httpPort = portFlag(args, 'http-port', 3000);
      const lambdaPort = portFlag(args, 'lambda-port', 3002);
      const stage = flag(args, 'stage') ?? 'dev';
      const dir = resolve(flag(args, 'pipelines') ?? join(PROJECT_ROOT, 'pipelines'));
      const parentName = flag(args, 'parent') ?? 'parent';
      const pipelines = readPipelineDir(dir);
      if (!pipelines.some((p) => p.name === parentName)) {
        throw new UsageError(`no ${parentName}.json in ${dir}`);
      }
      const childNames = pipelines.filter((p) => p.name !== parentName).map((p) => p.name);
      const parentParameters = parameterNamesOf(
        pipelines.find((p) => p.name === parentName)?.definition,
      );
      const catalog = loadFunctionCatalog({ stage });
      const lambdaEndpoint = `http://${LOCAL_HOST}:${lambdaPort}`;
      const allowed = childNames.join(',') || '*';
      const lambdaTimeoutMs = numberFlag(args, 'lambda-timeout-ms', DEFAULT_LAMBDA_STEP_TIMEOUT_MS);
      const accountLimit = flag(args, 'account-concurrency-limit');
      if (accountLimit !== undefined && !/^[1-9][0-9]*$/.test(accountLimit)) {
        throw new UsageError(
          `--account-concurrency-limit must be a whole number >= 1, got '${accountLimit}'`,
        );
      }
      // serverless.yml's params, for the local services and serverless-offline alike.
      const params = {
        allowedPipelines: allowed,
        ...(accountLimit === undefined ? {} : { accountConcurrencyLimit: accountLimit }),
      };
      const localServices = !args.flags.has('no-local-services');

      out('sagemaker-pipeline-lambdas: local SageMaker Pipelines runtime');
      local = await startLocalRuntime({
        host: LOCAL_HOST,
        port,
        lambdaTimeoutMs,
        knobs: { ...knobsFromEnv(), ...knobsFromFlags((name) => flag(args, name)) },
        eventTargets: args.flags.get('event-target') ?? [],
        log: (line) => out(`runtime: ${line}`),
        stage,
        allowedPipelines: allowed,
        services: localServices
          ? {
              params,
              scheduleEveryMs: numberFlag(args, 'reconcile-every-ms', DEFAULT_SCHEDULE_EVERY_MS),
              // A runtime moved off its default port (tests, a second npm start) gets a free one.
              s3Port: port === DEFAULT_RUNTIME_PORT ? DEFAULT_S3_PORT : 0,
            }
          : false,
        invoker: (url, wiring): LambdaInvoker => {
          if (inProcess) {
            return createInProcessInvoker({
              catalog: wiring.catalog,
              env: { SAGEMAKER_ENDPOINT: url, FAN_OUT_ALLOWED_PIPELINES: allowed, ...wiring.env },
              defaultEnv: { ...LOCAL_AWS_ENV, ...QUIET_HANDLER_ENV },
            });
          }
          lambdaInvoker = createLambdaClientInvoker({ endpoint: lambdaEndpoint, catalog });
          return lambdaInvoker;
        },
      });
      out(`  Console            ${local.url}/`);
      out(`  SageMaker API      ${local.url}`);
      out(`  functions          ${catalog.keys.join(', ')}`);
      const dynamoDb = local.services?.dynamoDb;
      if (dynamoDb) {
        out(`  DynamoDB (dynalite) ${dynamoDb.endpoint} tables ${dynamoDb.tables.join(', ')}`);
      }
      const s3 = local.services?.s3;
      if (s3) out(`  S3 (s3rver)        ${s3.endpoint} buckets ${s3.buckets.join(', ')}`);
      if (inProcess) {
        out('  Lambda steps       in-process (no serverless-offline, no HTTP API)');
      } else {
        out(
          `  serverless-offline starting (HTTP API ${LOCAL_HOST}:${httpPort}, Lambda ${LOCAL_HOST}:${lambdaPort})...`,
        );
        offline = await startOffline(
          {
            root: PROJECT_ROOT,
            host: LOCAL_HOST,
            httpPort,
            lambdaPort,
            stage,
            // Per port, so a test run never overwrites the log of a developer's `npm start`.
            logFile: join(PROJECT_ROOT, '.local-runtime', `serverless-offline-${lambdaPort}.log`),
            readyTimeoutMs: numberFlag(args, 'offline-timeout-ms', 120_000),
            // serverless.yml sets the fan-out functions' allow-list (and IAM) from this param.
            params,
            workFolder: join('.local-runtime', `esbuild-${lambdaPort}`),
            env: {
              SAGEMAKER_ENDPOINT: local.url,
              FAN_OUT_ALLOWED_PIPELINES: allowed,
              ...(dynamoDb ? { DYNAMODB_ENDPOINT: dynamoDb.endpoint } : {}),
              ...(s3 ? { S3_ENDPOINT: s3.endpoint } : {}),
              ...Object.fromEntries(
                Object.entries(LOCAL_AWS_ENV).map(([name, value]) => [
                  name,
                  process.env[name] ?? value,
                ]),
              ),
            },
          },
          (spawned) => {
            offline = spawned;
            out(`  serverless-offline pid ${spawned.pid}, building and starting the functions...`);
          },
        );
        out(`  serverless-offline ready (pid ${offline.pid}, log ${offline.logFile})`);
        out(`  Lambda steps       ${lambdaInvoker?.description ?? ''}`);
      }

      const client = localSageMakerClient(local.url);
      for (const pipeline of pipelines) {
        const arn = await upsertPipeline(client, pipeline);
        out(`  pipeline           ${pipeline.name.padEnd(18)} ${arn}`);
      }

      // Live view: parent steps as they change, children as they finish.
      let arnShown: () => void = () => {};
      // Steps start before StartPipelineExecution answers; hold their lines until the ARN is shown.
      let printing = new Promise<void>((resolve) => {
        arnShown = resolve;
      });
      const printed = new Set<string>();
      const childStatus = new Map<string, string>();
      let showProgress = false;
      const progress = () => {
        const done = [...childStatus.values()].filter(
          (s) => s !== 'Executing' && s !== 'Stopping',
        ).length;
        const line = `  children ${progressBar(done, childStatus.size)}`;
        if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
        else out(line);
      };
      const parentPipelineArn = `arn:aws:sagemaker:${local.runtime.region}:${local.runtime.accountId}:pipeline/${parentName.toLowerCase()}`;
      const unsubscribe = local.runtime.events.subscribe((event) => {
        const executionArn = String(event.detail.pipelineExecutionArn);
        // Steps start before StartPipelineExecution answers, so match the parent by pipeline.
        const ofParent = event.detail.pipelineArn === parentPipelineArn;
        if (event['detail-type'] === STEP_STATUS_CHANGE && ofParent) {
          const status = String(event.detail.currentStepStatus);
          const name = String(event.detail.stepName);
          const key = `${executionArn}:${name}:${status}`;
          if (status === 'Starting' || printed.has(key)) return;
          printed.add(key);
          printing = printing.then(async () => {
            if (status === 'Executing') {
              out(stepLine({ StepName: name, StepStatus: 'Executing' }));
              return;
            }
            const steps = await listAllSteps(client, executionArn);
            const step = steps.find((s) => s.StepName === name);
            if (step) out(stepLine(step));
          });
        } else if (event['detail-type'] === EXECUTION_STATUS_CHANGE && !ofParent) {
          const previous = childStatus.get(executionArn);
          const status = String(event.detail.currentPipelineExecutionStatus);
          childStatus.set(executionArn, status);
          if (showProgress && previous !== status && status !== 'Executing') progress();
        }
      });

      const started = await client.send(
        new StartPipelineExecutionCommand({
          PipelineName: parentName,
          PipelineParameters: pairsFlag(args, 'param'),
          ClientRequestToken: randomUUID(),
        }),
      );
      const parentArn = started.PipelineExecutionArn as string;
      out(`\n${parentName} ${parentArn}`);
      arnShown();
      const parentStatus = await local.runtime.waitForExecution(parentArn);
      await printing;
      out(`${parentName}: ${executionStatus(parentStatus, await listAllSteps(client, parentArn))}`);

      const childArns = local.runtime.executionArns().filter((arn) => arn !== parentArn);
      for (const arn of childArns) if (!childStatus.has(arn)) childStatus.set(arn, 'Executing');
      let childrenOk = true;
      if (childArns.length > 0) {
        out(`\n${childArns.length} child executions started by ${parentName}`);
        showProgress = true;
        progress();
        const statuses = await Promise.all(
          childArns.map((arn) => local?.runtime.waitForExecution(arn)),
        );
        if (process.stdout.isTTY) out('');
        showProgress = false;
        const rows: string[][] = [];
        for (const name of childNames) {
          const summaries = await listAllExecutions(client, name);
          for (const summary of summaries) {
            const params = await client.send(
              new ListPipelineParametersForExecutionCommand({
                PipelineExecutionArn: summary.PipelineExecutionArn,
              }),
            );
            const detail = await client.send(
              new DescribePipelineExecutionCommand({
                PipelineExecutionArn: summary.PipelineExecutionArn,
              }),
            );
            const status = summary.PipelineExecutionStatus ?? '';
            rows.push([
              summary.PipelineExecutionDisplayName ?? '',
              name,
              status === 'Failed'
                ? executionStatus(
                    status,
                    await listAllSteps(client, String(summary.PipelineExecutionArn)),
                  )
                : status,
              (params.PipelineParameters ?? []).map((p) => `${p.Name}=${p.Value}`).join(' '),
              seconds(detail.CreationTime, detail.LastModifiedTime),
            ]);
          }
        }
        out(table(['execution', 'pipeline', 'status', 'parameters', 'time'], rows));
        const succeeded = statuses.filter((s) => s === 'Succeeded').length;
        childrenOk = succeeded === statuses.length;
        out(
          `\nsummary: ${parentName} ${parentStatus}; ${statuses.length} child executions: ${succeeded} Succeeded, ${statuses.length - succeeded} not`,
        );
      } else {
        out(`\nsummary: ${parentName} ${parentStatus}; no child executions`);
      }
      unsubscribe();
      client.destroy();

      out(
        '\nTry next (copy and paste any line; the credentials are dummies for the AWS CLI to sign with):',
      );
      for (const line of tryNextLines({
        runtimeUrl: local.url,
        region: local.runtime.region,
        parentName,
        parentParameters,
        childNames,
        batches: dynamoDb !== undefined,
        ...(inProcess
          ? {}
          : {
              offline: {
                httpUrl: `http://${LOCAL_HOST}:${httpPort}`,
                lambdaUrl: lambdaEndpoint,
                concatFunctionName: catalog.deployedName('concat'),
              },
            }),
      }))
        out(`  ${line}`);
      const ok = parentStatus === 'Succeeded' && childrenOk;
      if (args.flags.has('exit')) {
        await stopAll();
        return ok ? 0 : 1;
      }
      out(
        '\nServing. Press Ctrl-C to stop. Executions started from now on are listed as they end:',
      );
      const serving = local;
      const ledgerTable = serving.services?.dynamoDb?.tables[0];
      if (dynamoDb && ledgerTable) {
        watchBatchProgress({
          events: serving.runtime.events,
          dynamoDbEndpoint: dynamoDb.endpoint,
          tableName: ledgerTable,
          region: serving.runtime.region,
          out,
        });
      }
      let listed = Promise.resolve();
      serving.runtime.events.subscribe((event) => {
        const status = String(event.detail.currentPipelineExecutionStatus);
        if (event['detail-type'] !== EXECUTION_STATUS_CHANGE || status === 'Executing') return;
        const pipeline = String(event.detail.pipelineArn).split('/').at(-1);
        const line = `  ${event.time}  ${pipeline}  ${String(event.detail.pipelineExecutionDisplayName)}  `;
        listed = listed.then(async () => {
          if (status !== 'Failed') {
            out(`${line}${status}`);
            return;
          }
          const reader = localSageMakerClient(serving.url);
          try {
            const steps = await listAllSteps(reader, String(event.detail.pipelineExecutionArn));
            out(`${line}${executionStatus(status, steps)}`);
          } catch {
            out(`${line}${status}`);
          } finally {
            reader.destroy();
          }
        });
      });
      return await stopped;
    } catch (error) {
      if (stopping) return 0;
      if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
      else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        process.stderr.write(
          `\nport ${flag(args, 'port') ?? DEFAULT_RUNTIME_PORT} on ${LOCAL_HOST} is already in use (another npm start?): pass --port to use another\n`,
        );
      else if (error instanceof OfflineStartError)
        process.stderr.write(`\nserverless-offline failed to start: ${error.message}\n`);
      else
        process.stderr.write(
          `\nerror: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      await stopAll();
      return error instanceof UsageError ? 2 : 1;
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
