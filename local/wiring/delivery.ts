/**
 * Local EventBridge and SQS, wired as serverless.yml wires them on AWS. For each status event
 * of the runtime: every enabled `AWS::Events::Rule` resource whose `EventPattern` matches sends
 * the event to its targets (an SQS queue resource, or a function), and every function whose
 * `eventBridge` event's pattern matches is invoked with it. A queue is consumed by the function
 * whose `sqs` event names it ({@link LocalQueue}). Enabled `schedule` events run every
 * `scheduleEveryMs` (local mode does not wait out `rate(5 minutes)`), or on demand.
 */
import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { LocalAccount } from '../account';
import type { EventBus, PipelineEvent } from '../events';
import type { LambdaInvoker } from '../invokers/types';
import { matchesPattern } from './pattern';
import { LocalQueue } from './queue';
import {
  functionLogicalId,
  type Json,
  type JsonObject,
  localArnOf,
  localNameOf,
  resolveIntrinsics,
  type ServerlessTemplate,
  TemplateError,
} from './template';

/** Where an event goes: a queue (by local name) or a function (by key). */
type Target = { queue: string } | { functionKey: string };

interface Route {
  /** The rule's logical id, or `<function>.eventBridge[<n>]`. */
  name: string;
  pattern: JsonObject;
  targets: Target[];
}

interface Schedule {
  name: string;
  functionKey: string;
  input: Json | undefined;
}

/**
 * What an event becomes on its way to the routes: `[event]` as is; `[]` drops it; several
 * events duplicate it. Asynchronous: an interceptor may hold an event back (to reorder).
 */
export type EventInterceptor = (event: PipelineEvent) => PipelineEvent[] | Promise<PipelineEvent[]>;

export interface DeliveryOptions {
  template: ServerlessTemplate;
  account: LocalAccount;
  /** Invokes functions by key (the runtime's invoker). */
  invoker: LambdaInvoker;
  /** Function timeouts, for the invocations (serverless.yml's `timeout`). */
  timeoutMs: (functionKey: string) => number;
  /** The visibility timeout of every queue locally (default 1,000 ms: redelivery comes soon). */
  visibilityTimeoutMs?: number;
  /** How often enabled schedules run; 0 (default) only on demand ({@link Delivery.runSchedules}). */
  scheduleEveryMs?: number;
  intercept?: EventInterceptor;
  log?: (line: string) => void;
}

export interface Delivery {
  /** Sends a message to a queue of serverless.yml (its logical id, name or ARN), for its consumer. */
  deliverToQueue(queue: string, messageBody: string): string;
  /** Routes one event as EventBridge would (after the interceptor). */
  publish(event: PipelineEvent): Promise<void>;
  /** Listens to a runtime's event bus; returns the unsubscribe function. */
  listen(events: EventBus): () => void;
  /** Runs every enabled schedule once now; resolves when their functions have answered. */
  runSchedules(): Promise<void>;
  /** The queues by local name. */
  queues: ReadonlyMap<string, LocalQueue>;
  /** Resolves when every queue is empty and nothing is being delivered. */
  idle(): Promise<void>;
  /** Counts of routed events and invocations, for tests and benchmarks. */
  stats: { events: number; routed: number; invocations: number; failedInvocations: number };
  close(): void;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const DEFAULT_VISIBILITY_TIMEOUT_MS = 1_000;
/** Lambda's default batch size for an SQS event source. */
const DEFAULT_SQS_BATCH_SIZE = 10;
/** Batches of one queue processed at once when `maximumConcurrency` is unset (chosen locally). */
const DEFAULT_SQS_CONCURRENCY = 5;

/** Reads the routes, queues and schedules of serverless.yml. */
export function createDelivery(options: DeliveryOptions): Delivery {
  const { template, account } = options;
  const log = options.log ?? (() => {});
  const resolve = (value: Json) => resolveIntrinsics(value, template, account);
  const stats = { events: 0, routed: 0, invocations: 0, failedInvocations: 0 };
  let pending = 0;
  let idleWaiters: Array<() => void> = [];
  const track = async <T>(work: Promise<T>): Promise<T> => {
    pending += 1;
    try {
      return await work;
    } finally {
      pending -= 1;
      if (pending === 0) for (const waiter of idleWaiters.splice(0)) waiter();
    }
  };

  const invoke = async (functionKey: string, payload: unknown) => {
    stats.invocations += 1;
    const result = await options.invoker
      .invoke({
        functionArn: functionKey,
        payload,
        timeoutMs: options.timeoutMs(functionKey),
        signal: new AbortController().signal,
      })
      .catch((error: unknown) => ({ ok: false as const, error: String(error) }));
    if (!result.ok) {
      stats.failedInvocations += 1;
      log(`${functionKey} failed: ${result.error}`);
    }
    return result;
  };

  // Queues: every AWS::SQS::Queue resource, its dead-letter queue first.
  const queues = new Map<string, LocalQueue>();
  const queueByArn = new Map<string, LocalQueue>();
  const makeQueue = (logicalId: string): LocalQueue => {
    const resource = template.resources[logicalId] as JsonObject;
    const name = localNameOf(logicalId, resource);
    const existing = queues.get(name);
    if (existing) return existing;
    const properties = isObject(resource.Properties)
      ? (resolve(resource.Properties) as JsonObject)
      : {};
    const redrive = isObject(properties.RedrivePolicy) ? properties.RedrivePolicy : undefined;
    const deadLetterArn =
      typeof redrive?.deadLetterTargetArn === 'string' ? redrive.deadLetterTargetArn : undefined;
    const deadLetterId = Object.keys(template.resources).find(
      (id) => deadLetterArn !== undefined && localArnOf(template, account, id) === deadLetterArn,
    );
    const deadLetterQueue = deadLetterId === undefined ? undefined : makeQueue(deadLetterId);
    const queue = new LocalQueue({
      name,
      arn: localArnOf(template, account, logicalId),
      region: account.region,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS,
      ...(redrive?.maxReceiveCount === undefined
        ? {}
        : { maxReceiveCount: Number(redrive.maxReceiveCount) }),
      ...(deadLetterQueue ? { deadLetterQueue } : {}),
      log,
    });
    queues.set(name, queue);
    queueByArn.set(queue.arn, queue);
    return queue;
  };
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    if (resource.Type === 'AWS::SQS::Queue') makeQueue(logicalId);
  }

  const functionByArn = new Map(
    Object.keys(template.functions).map((key) => [
      localArnOf(template, account, functionLogicalId(key)),
      key,
    ]),
  );
  const targetOf = (arn: string): Target | undefined => {
    const queue = queueByArn.get(arn);
    if (queue) return { queue: queue.name };
    const functionKey = functionByArn.get(arn);
    return functionKey === undefined ? undefined : { functionKey };
  };

  // Routes: rules of resources, then functions' eventBridge events. Schedules: `schedule` events.
  const routes: Route[] = [];
  const schedules: Schedule[] = [];
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const properties = resolve((resource.Properties ?? {}) as Json) as JsonObject;
    if (properties.State === 'DISABLED' || !isObject(properties.EventPattern)) continue;
    const targets = (Array.isArray(properties.Targets) ? properties.Targets : []).flatMap(
      (target) => {
        const arn = isObject(target) && typeof target.Arn === 'string' ? target.Arn : '';
        const found = targetOf(arn);
        if (!found) log(`rule ${logicalId}: target ${arn} is not local; skipped`);
        return found ? [found] : [];
      },
    );
    routes.push({ name: logicalId, pattern: properties.EventPattern, targets });
  }
  for (const [functionKey, definition] of Object.entries(template.functions)) {
    const events = Array.isArray(definition.events) ? definition.events : [];
    events.forEach((entry, at) => {
      if (!isObject(entry)) return;
      const bridge = entry.eventBridge;
      if (isObject(bridge) && isObject(bridge.pattern) && bridge.enabled !== false) {
        routes.push({
          name: `${functionKey}.eventBridge[${at}]`,
          pattern: resolve(bridge.pattern) as JsonObject,
          targets: [{ functionKey }],
        });
      }
      const sqs = entry.sqs;
      const arn =
        typeof sqs === 'string' ? sqs : isObject(sqs) ? resolve(sqs.arn as Json) : undefined;
      const queue = typeof arn === 'string' ? queueByArn.get(arn) : undefined;
      if (queue && (!isObject(sqs) || sqs.enabled !== false)) {
        const settings = isObject(sqs) ? sqs : {};
        queue.attach({
          functionKey,
          batchSize: Number(settings.batchSize ?? DEFAULT_SQS_BATCH_SIZE),
          reportBatchItemFailures: settings.functionResponseType === 'ReportBatchItemFailures',
          maximumConcurrency: Number(settings.maximumConcurrency ?? DEFAULT_SQS_CONCURRENCY),
          invoke: (event: SQSEvent) => track(invoke(functionKey, event)),
        });
      }
      const schedule = entry.schedule;
      const enabled =
        typeof schedule === 'string' || (isObject(schedule) && schedule.enabled !== false);
      if (schedule !== undefined && enabled) {
        schedules.push({
          name: `${functionKey}.schedule[${at}]`,
          functionKey,
          input:
            isObject(schedule) && schedule.input !== undefined
              ? resolve(schedule.input)
              : undefined,
        });
      }
    });
  }

  const findQueue = (reference: string): LocalQueue => {
    const queue =
      queues.get(reference) ??
      queueByArn.get(reference) ??
      queues.get(localNameOf(reference, template.resources[reference])) ??
      [...queues.values()].find((candidate) => reference.endsWith(`/${candidate.name}`));
    if (!queue) {
      throw new TemplateError(
        `no queue ${reference} in serverless.yml (queues: ${[...queues.keys()].join(', ') || 'none'})`,
      );
    }
    return queue;
  };

  const route = async (event: PipelineEvent) => {
    for (const candidate of routes) {
      if (!matchesPattern(candidate.pattern, event)) continue;
      stats.routed += 1;
      for (const target of candidate.targets) {
        if ('queue' in target) findQueue(target.queue).send(JSON.stringify(event));
        else await track(invoke(target.functionKey, event));
      }
    }
  };

  const publish = async (event: PipelineEvent) => {
    stats.events += 1;
    const delivered = options.intercept ? await options.intercept(event) : [event];
    await Promise.all(delivered.map(route));
  };

  const runSchedules = async () => {
    await Promise.all(
      schedules.map((schedule) =>
        track(
          invoke(
            schedule.functionKey,
            schedule.input ?? {
              version: '0',
              id: randomUUID(),
              'detail-type': 'Scheduled Event',
              source: 'aws.events',
              account: account.accountId,
              time: `${new Date().toISOString().slice(0, 19)}Z`,
              region: account.region,
              resources: [
                `arn:aws:events:${account.region}:${account.accountId}:rule/${schedule.name}`,
              ],
              detail: {},
            },
          ),
        ),
      ),
    );
  };

  let scheduleTimer: NodeJS.Timeout | undefined;
  let scheduleRunning = false;
  if (options.scheduleEveryMs && options.scheduleEveryMs > 0 && schedules.length > 0) {
    scheduleTimer = setInterval(() => {
      if (scheduleRunning) return;
      scheduleRunning = true;
      void runSchedules().finally(() => {
        scheduleRunning = false;
      });
    }, options.scheduleEveryMs);
    scheduleTimer.unref();
  }

  const unsubscribers: Array<() => void> = [];
  return {
    deliverToQueue: (queue, messageBody) => findQueue(queue).send(messageBody),
    publish: (event) => track(publish(event)),
    listen(events) {
      const unsubscribe = events.subscribe((event) => {
        void track(publish(event)).catch((error: unknown) =>
          log(`delivery failed: ${String(error)}`),
        );
      });
      unsubscribers.push(unsubscribe);
      return unsubscribe;
    },
    runSchedules,
    queues,
    async idle() {
      for (;;) {
        if (pending > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
        await Promise.all([...queues.values()].map((queue) => queue.idle()));
        if (pending === 0) return;
      }
    },
    stats,
    close() {
      clearInterval(scheduleTimer);
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      for (const queue of queues.values()) queue.close();
      for (const waiter of idleWaiters.splice(0)) waiter();
      idleWaiters = [];
    },
  };
}
