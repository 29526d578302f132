/**
 * Local mode's AWS services, read from serverless.yml: DynamoDB tables in dynalite, EventBridge
 * rules and SQS queues delivering to this project's functions, and schedules.
 */
import type { LocalAccount } from '../account';
import type { EventBus } from '../events';
import type { LambdaInvoker } from '../invokers/types';
import { type LocalS3, startLocalS3 } from '../s3';
import { createDelivery, type Delivery, type EventInterceptor } from './delivery';
import { type LocalDynamoDb, startLocalDynamoDb } from './dynamodb';
import {
  type Json,
  loadServerlessTemplate,
  localNameOf,
  resolveIntrinsics,
  type ServerlessTemplate,
} from './template';

export type { Delivery, EventInterceptor } from './delivery';
export { matchesPattern } from './pattern';
export type { ServerlessTemplate } from './template';

export interface LocalServicesOptions {
  /** Start dynalite and create serverless.yml's tables (default true). */
  dynamoDb?: boolean;
  /** serverless.yml params over their defaults (e.g. `accountConcurrencyLimit`). */
  params?: Record<string, string>;
  /** How long a failed SQS message waits before it is delivered again (default 1,000 ms). */
  visibilityTimeoutMs?: number;
  /** How often enabled schedules run (default 10,000 ms; 0: only `delivery.runSchedules()`). */
  scheduleEveryMs?: number;
  /** Sees each status event before it is routed: drop, duplicate, delay or reorder it. */
  intercept?: EventInterceptor;
  /** Start an S3-compatible server with serverless.yml's buckets (default true). */
  s3?: boolean;
  /** Its port (default 0: a free one). */
  s3Port?: number;
}

export interface LocalServices {
  template: ServerlessTemplate;
  dynamoDb: LocalDynamoDb | undefined;
  /** The S3-compatible server (local/s3.ts), when serverless.yml has buckets. */
  s3: LocalS3 | undefined;
  delivery: Delivery;
  /** Environment every function gets on top of its own (`DYNAMODB_ENDPOINT`, `S3_ENDPOINT`). */
  env: Record<string, string>;
  /** A function's `environment:` of serverless.yml with `!Ref`s and params resolved locally. */
  environment(functionKey: string): Record<string, string>;
  close(): Promise<void>;
}

export const DEFAULT_SCHEDULE_EVERY_MS = 10_000;

export async function startLocalServices(
  options: LocalServicesOptions & {
    root: string;
    stage?: string;
    account: LocalAccount;
    invoker: LambdaInvoker;
    events: EventBus;
    timeoutMs: (functionKey: string) => number;
    log?: (line: string) => void;
  },
): Promise<LocalServices> {
  const template = await loadServerlessTemplate({
    root: options.root,
    ...(options.stage ? { stage: options.stage } : {}),
    ...(options.params ? { params: options.params } : {}),
  });
  const dynamoDb =
    options.dynamoDb === false
      ? undefined
      : await startLocalDynamoDb(template, { region: options.account.region });
  const buckets = Object.entries(template.resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .map(([logicalId, resource]) => localNameOf(logicalId, resource));
  const s3 =
    options.s3 === false || buckets.length === 0
      ? undefined
      : await startLocalS3({ buckets, port: options.s3Port ?? 0 }).catch(async (error: unknown) => {
          await dynamoDb?.close();
          throw error;
        });
  const delivery = createDelivery({
    template,
    account: options.account,
    invoker: options.invoker,
    timeoutMs: options.timeoutMs,
    scheduleEveryMs: options.scheduleEveryMs ?? DEFAULT_SCHEDULE_EVERY_MS,
    ...(options.visibilityTimeoutMs === undefined
      ? {}
      : { visibilityTimeoutMs: options.visibilityTimeoutMs }),
    ...(options.intercept ? { intercept: options.intercept } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  delivery.listen(options.events);
  const resolveEnv = (value: Json) => resolveIntrinsics(value, template, options.account);
  const provider = (template.provider.environment ?? {}) as Record<string, Json>;
  return {
    template,
    dynamoDb,
    s3,
    delivery,
    env: {
      ...(dynamoDb ? { DYNAMODB_ENDPOINT: dynamoDb.endpoint } : {}),
      ...(s3 ? { S3_ENDPOINT: s3.endpoint } : {}),
    },
    environment(functionKey) {
      const own = (template.functions[functionKey]?.environment ?? {}) as Record<string, Json>;
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries({ ...provider, ...own })) {
        const resolved = resolveEnv(value);
        // Left unset when it refers to what local mode cannot resolve (`${ssm:...}`).
        if (typeof resolved === 'string' && !resolved.includes('${')) environment[name] = resolved;
        else if (typeof resolved === 'number' || typeof resolved === 'boolean')
          environment[name] = String(resolved);
      }
      return environment;
    },
    async close() {
      delivery.close();
      await dynamoDb?.close();
      await s3?.stop();
    },
  };
}
