/** Helpers shared by the CLI and `npm start` for talking to a local runtime through the SDK. */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CreatePipelineCommand,
  type PipelineExecutionStep,
  type PipelineExecutionSummary,
  paginateListPipelineExecutionSteps,
  paginateListPipelineExecutions,
  SageMakerClient,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { awsRegion } from '../shared/config';

/** A role ARN that satisfies the API's pattern; the local runtime never assumes it. */
export const LOCAL_ROLE_ARN = 'arn:aws:iam::123456789012:role/SageMakerPipelineExecutionRole';

/** A SageMaker client for a local runtime URL (any credentials are accepted there). */
export function localSageMakerClient(endpoint: string, region = awsRegion()) {
  return new SageMakerClient({
    endpoint,
    region,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
}

export interface PipelineFile {
  name: string;
  path: string;
  definition: string;
}

/** Every `*.json` in a folder as a pipeline named after the file (`parent.json` → `parent`). */
export function readPipelineDir(dir: string): PipelineFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: basename(file, '.json'),
      path: join(dir, file),
      definition: readFileSync(join(dir, file), 'utf8'),
    }));
}

/** Creates the pipeline, or updates its definition when one by that name exists. */
export async function upsertPipeline(
  client: SageMakerClient,
  pipeline: PipelineFile,
): Promise<string> {
  try {
    const created = await client.send(
      new CreatePipelineCommand({
        PipelineName: pipeline.name,
        PipelineDefinition: pipeline.definition,
        RoleArn: LOCAL_ROLE_ARN,
        ClientRequestToken: randomUUID(),
      }),
    );
    return created.PipelineArn as string;
  } catch (error) {
    if (error instanceof Error && /already exists/.test(error.message)) {
      const updated = await client.send(
        new UpdatePipelineCommand({
          PipelineName: pipeline.name,
          PipelineDefinition: pipeline.definition,
        }),
      );
      return updated.PipelineArn as string;
    }
    throw error;
  }
}

/** Every item of a List operation's pages, in order. */
async function collect<Page, T>(
  pages: AsyncIterable<Page>,
  items: (page: Page) => T[] | undefined,
): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

/** Every step of an execution (all pages), oldest first. */
export function listAllSteps(
  client: SageMakerClient,
  executionArn: string,
): Promise<PipelineExecutionStep[]> {
  const input = { PipelineExecutionArn: executionArn, SortOrder: 'Ascending' } as const;
  return collect(
    paginateListPipelineExecutionSteps({ client }, input),
    (page) => page.PipelineExecutionSteps,
  );
}

/** Every execution of a pipeline (all pages of `pageSize`, or the API's default), oldest first. */
export function listAllExecutions(
  client: SageMakerClient,
  pipelineName: string,
  pageSize?: number,
): Promise<PipelineExecutionSummary[]> {
  return collect(
    paginateListPipelineExecutions(
      { client, ...(pageSize ? { pageSize } : {}) },
      { PipelineName: pipelineName, SortOrder: 'Ascending' },
    ),
    (page) => page.PipelineExecutionSummaries,
  );
}
