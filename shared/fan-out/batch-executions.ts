import type { PipelineExecutionSummary } from '@aws-sdk/client-sagemaker';
import { MAX_LIST_PIPELINE_EXECUTIONS_RESULTS } from '../limits';
import { type ParsedDescription, parseDescription } from './description';
import { displayNameMatcher } from './identity';
import type { FanOutSageMaker } from './sagemaker';

/** One execution of a batch found with ListPipelineExecutions. */
export interface FoundExecution {
  index: number;
  executionArn: string;
  displayName: string;
  status: string | undefined;
  startTime: Date | undefined;
  /** What its description records (fingerprint, batch creation time, caller). */
  description: ParsedDescription;
}

/** Options of {@link findBatchExecutions}. */
export interface FindOptions {
  /** Most pages to read (100 executions each). */
  maxPages: number;
  /** Stops once this many distinct indexes are found (the scan before a resume). */
  stopAfter?: number;
  /**
   * Stops after this many consecutive pages without an execution of the batch: a
   * batch's executions are created together, so pages past them hold none. Only for
   * the scan before a resume, where stopping early costs a few idempotent calls.
   */
  stopAfterPagesWithoutMatch?: number;
  /** Called before each page; returning false stops the listing (a time budget). */
  mayContinue?: () => boolean;
  abortSignal?: AbortSignal;
  /** Only executions created after this (`CreatedAfter`), listed oldest first. */
  createdAfter?: Date;
  /** Continues an earlier listing from its `nextToken`. */
  nextToken?: string;
}

/**
 * Lists a pipeline's executions, newest first (or, with `createdAfter`, those created
 * after it, oldest first), and keeps those of the batch: their display name is
 * `<prefix>-<batchId>-<index>`. Pages through `NextToken`.
 * @returns the executions by index (the first listed when an index appears twice),
 * whether the listing was cut short before its last page, and the token to continue it.
 */
export const findBatchExecutions = async (
  sagemaker: FanOutSageMaker,
  pipeline: string,
  batchId: string,
  options: FindOptions,
): Promise<{
  executions: Map<number, FoundExecution>;
  truncated: boolean;
  nextToken?: string;
}> => {
  const matcher = displayNameMatcher(batchId);
  const executions = new Map<number, FoundExecution>();
  let nextToken: string | undefined = options.nextToken;
  let pagesWithoutMatch = 0;
  const cut = () => ({
    executions,
    truncated: true,
    ...(nextToken === undefined ? {} : { nextToken }),
  });
  for (let page = 0; page < options.maxPages; page++) {
    if (options.mayContinue && !options.mayContinue()) return cut();
    const response = await sagemaker.listPipelineExecutions(
      {
        PipelineName: pipeline,
        SortBy: 'CreationTime',
        SortOrder: options.createdAfter === undefined ? 'Descending' : 'Ascending',
        MaxResults: MAX_LIST_PIPELINE_EXECUTIONS_RESULTS,
        ...(options.createdAfter === undefined ? {} : { CreatedAfter: options.createdAfter }),
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      },
      options.abortSignal ? { abortSignal: options.abortSignal } : undefined,
    );
    let matched = false;
    for (const summary of response.PipelineExecutionSummaries ?? []) {
      const found = toFound(summary, matcher);
      if (found === undefined) continue;
      matched = true;
      if (!executions.has(found.index)) executions.set(found.index, found);
    }
    nextToken = response.NextToken || undefined;
    if (nextToken === undefined) return { executions, truncated: false };
    if (options.stopAfter !== undefined && executions.size >= options.stopAfter) {
      return { executions, truncated: false };
    }
    pagesWithoutMatch = matched ? 0 : pagesWithoutMatch + 1;
    if (
      options.stopAfterPagesWithoutMatch !== undefined &&
      pagesWithoutMatch >= options.stopAfterPagesWithoutMatch
    ) {
      return cut();
    }
  }
  return cut();
};

function toFound(summary: PipelineExecutionSummary, matcher: RegExp): FoundExecution | undefined {
  const name = summary.PipelineExecutionDisplayName;
  const arn = summary.PipelineExecutionArn;
  if (name === undefined || arn === undefined) return undefined;
  const match = matcher.exec(name);
  if (match?.[1] === undefined) return undefined;
  return {
    index: Number(match[1]),
    executionArn: arn,
    displayName: name,
    status: summary.PipelineExecutionStatus,
    startTime: summary.StartTime,
    description: parseDescription(summary.PipelineExecutionDescription),
  };
}
