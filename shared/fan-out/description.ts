import { MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH } from '../limits';
import { asFingerprint, type Fingerprint } from './fingerprint';
import { pipelineNameOf } from './identity';

/**
 * The `PipelineExecutionDescription` of a child execution: a small JSON record tying it
 * to its batch, with what a later send or a status query needs to read back without
 * another call: the request's fingerprint, when the batch was first started, and who
 * started this execution.
 */
export interface ExecutionRecord {
  batchId: string;
  index: number;
  pipeline: string;
  /** ISO 8601: when the batch's first send started (the same for every execution of a batch). */
  createdAt: string;
  fingerprint: Fingerprint;
  /** The IAM identity, pipeline execution or schedule that sent the request. */
  caller?: string;
}

/** What a description gives back; fields from older versions may be missing. */
export interface ParsedDescription {
  createdAt?: Date;
  fingerprint?: Fingerprint;
  caller?: string;
}

/**
 * The description, within SageMaker's 3,072 characters: a long pipeline ARN is shortened
 * to its name and then the caller is cut, so the fingerprint and time always fit.
 */
export function descriptionOf(record: ExecutionRecord): string {
  const full = JSON.stringify(record);
  if (full.length <= MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH) return full;
  const short = { ...record, pipeline: pipelineNameOf(record.pipeline) };
  const text = JSON.stringify(short);
  if (text.length <= MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH || record.caller === undefined) {
    return text;
  }
  const over = text.length - MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH;
  // JSON escapes can make the caller longer than its characters: cut until it fits.
  let caller = record.caller.slice(0, Math.max(0, record.caller.length - over - 1));
  for (;;) {
    const cut = JSON.stringify({ ...short, caller: `${caller}…` });
    if (cut.length <= MAX_PIPELINE_EXECUTION_DESCRIPTION_LENGTH) return cut;
    caller = caller.slice(0, Math.max(0, caller.length - 64));
  }
}

/** Reads a description written by {@link descriptionOf}; anything else gives `{}`. */
export function parseDescription(text: string | undefined): ParsedDescription {
  if (text === undefined || !text.startsWith('{')) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const record = value as Record<string, unknown>;
  const parsed: ParsedDescription = {};
  if (typeof record.createdAt === 'string') {
    const date = new Date(record.createdAt);
    if (!Number.isNaN(date.getTime())) parsed.createdAt = date;
  }
  const fingerprint = asFingerprint(record.fingerprint);
  if (fingerprint) parsed.fingerprint = fingerprint;
  if (typeof record.caller === 'string') parsed.caller = record.caller;
  return parsed;
}
