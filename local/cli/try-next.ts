/**
 * The "Try next" commands `npm start` prints. Each line works on its own when pasted into a shell
 * in the project folder on a machine with no AWS configuration: the AWS CLI lines carry dummy
 * credentials (the CLI will not send a request it cannot sign; the runtime checks no signature)
 * and their region, and what they start ends Succeeded.
 */

import { batchIdOf } from '../../shared/batches/identity';

/** Credentials for the AWS CLI to sign with; the local runtime and serverless-offline check none. */
export const DUMMY_CREDENTIALS = 'AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local';

/** The batch the printed curl submits: its key, and so its id, are fixed. */
export const BATCH_KEY = 'try-batch-1';
export const BATCH_ITEMS = 50;

export interface TryNextOptions {
  runtimeUrl: string;
  region: string;
  parentName: string;
  /** The parent's parameter names (its start line sets `BatchSize` only when it has one). */
  parentParameters?: readonly string[];
  /** The pipelines the parent fans out to (the fan-out's allow-list). */
  childNames: readonly string[];
  /** Whether batches run (the local services are on). */
  batches?: boolean;
  /** Absent when the functions run in-process (no serverless-offline, no HTTP API). */
  offline?: { httpUrl: string; lambdaUrl: string; concatFunctionName: string };
}

export function tryNextLines(options: TryNextOptions): string[] {
  const { runtimeUrl, region, parentName } = options;
  const aws = `${DUMMY_CREDENTIALS} aws`;
  const sagemaker = `--endpoint-url ${runtimeUrl} --region ${region}`;
  const child = options.childNames[0];
  const lines = [
    `${aws} sagemaker list-pipeline-executions --pipeline-name ${child ?? parentName} ${sagemaker}`,
    `${aws} sagemaker start-pipeline-execution --pipeline-name ${parentName}${(options.parentParameters ?? ['BatchSize']).includes('BatchSize') ? ' --pipeline-parameters Name=BatchSize,Value=1' : ''} ${sagemaker}`,
    `npm run local -- callbacks --endpoint ${runtimeUrl}`,
  ];
  if (options.offline) {
    const { httpUrl, lambdaUrl, concatFunctionName } = options.offline;
    if (child) {
      // Items are batches (JSON lists), as plan-batches makes them: each child pipeline reads its
      // `Item` parameter as a list of items.
      const body = JSON.stringify({
        pipelines: [child],
        items: [['a', 'b'], ['c']],
        batchKey: 'try-1',
      });
      lines.push(
        `curl -sS -X POST ${httpUrl}/fan-outs -H 'content-type: application/json' -H 'Idempotency-Key: try-1' -d '${body}'`,
      );
      if (options.batches) {
        // 50 items, one child each: more than the quota, so the batch admits them as children end.
        const batch = JSON.stringify({
          pipelines: [child],
          items: Array.from({ length: BATCH_ITEMS }, (_, index) => [`item-${index}`]),
          maxConcurrentExecutions: 20,
        });
        lines.push(
          `curl -sS -X POST ${httpUrl}/batches -H 'content-type: application/json' -H 'Idempotency-Key: ${BATCH_KEY}' -d '${batch}'`,
          `curl -sS ${httpUrl}/batches/${batchIdOf(BATCH_KEY)}`,
        );
      }
    }
    // fileb:// passes the payload as raw bytes in both AWS CLI v1 and v2 (v2 would read a plain
    // --payload as base64, and v1 has no --cli-binary-format).
    lines.push(
      `echo '{"str1":"a","str2":"b"}' | ${aws} lambda invoke --function-name ${concatFunctionName} --endpoint-url ${lambdaUrl} --region ${region} --payload fileb:///dev/stdin /dev/stdout`,
    );
  }
  return lines;
}
