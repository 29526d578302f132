/** Text rendering for the CLI and `npm start`: step lines, the step tree, a progress bar, tables. */
import type { PipelineExecutionStep } from '@aws-sdk/client-sagemaker';
import type { StepDeclaration } from '../engine/definition';

const ICONS: Record<string, string> = {
  Starting: '…',
  Executing: '▶',
  Succeeded: '✔',
  Failed: '✖',
  Stopping: '■',
  Stopped: '■',
};

/**
 * Why a failed step failed: its own `FailureReason`, or for a Fail step `Metadata.Fail.ErrorMessage`
 * (SageMaker gives a Fail step with an empty message no `FailureReason`).
 */
function stepFailure(step: PipelineExecutionStep): string | undefined {
  return step.FailureReason || step.Metadata?.Fail?.ErrorMessage || undefined;
}

/**
 * Why an execution failed, from its failed steps (ListPipelineExecutionSteps): SageMaker's own
 * execution `FailureReason` is only `Step failure: One or multiple steps failed.`
 */
export function executionFailure(steps: readonly PipelineExecutionStep[]): string | undefined {
  const failed = steps.filter((step) => step.StepStatus === 'Failed');
  if (failed.length === 0) return undefined;
  return failed
    .map((step) => {
      const reason = stepFailure(step);
      if (reason) return `step ${step.StepName}: ${reason}`;
      return step.Metadata?.Fail
        ? `Fail step ${step.StepName}, with no error message`
        : `step ${step.StepName}, with no reason given`;
    })
    .join('; ');
}

/** An execution's status, and when it failed, why its steps failed: `Failed (step X: ...)`. */
export function executionStatus(status: string, steps: readonly PipelineExecutionStep[]): string {
  const failure = status === 'Failed' ? executionFailure(steps) : undefined;
  return `${status}${failure ? ` (${failure})` : ''}`;
}

/** The outputs (or failure) of a step, on one line. */
export function stepDetail(step: PipelineExecutionStep): string {
  const failure = step.StepStatus === 'Failed' ? stepFailure(step) : step.FailureReason;
  if (failure) return `reason: ${failure}`;
  const meta = step.Metadata;
  const outputs = meta?.Lambda?.OutputParameters ?? meta?.Callback?.OutputParameters;
  if (outputs?.length) return outputs.map((o) => `${o.Name}=${o.Value}`).join('  ');
  if (meta?.Condition?.Outcome) return `outcome: ${meta.Condition.Outcome}`;
  if (meta?.Callback?.CallbackToken)
    return `waiting for callback token ${meta.Callback.CallbackToken}`;
  return '';
}

/** One line for a step status change: icon, name, status, and what it produced. */
export function stepLine(step: PipelineExecutionStep, indent = '  '): string {
  const status = step.StepStatus ?? 'Unknown';
  const detail = stepDetail(step);
  return `${indent}${ICONS[status] ?? '?'} ${(step.StepName ?? '').padEnd(16)} ${status.padEnd(9)}${detail ? ` ${detail}` : ''}`;
}

/**
 * The definition's steps as a tree (Condition branches nested under their condition), each with
 * the status it reached, or "not run".
 */
export function stepTree(
  steps: StepDeclaration[],
  ran: PipelineExecutionStep[],
  indent = '  ',
): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    const record = ran.find((r) => r.StepName === step.Name);
    lines.push(record ? stepLine(record, indent) : `${indent}· ${step.Name.padEnd(16)} not run`);
    if (step.Type === 'Condition') {
      const args = (step.Arguments ?? {}) as {
        IfSteps?: StepDeclaration[];
        ElseSteps?: StepDeclaration[];
      };
      lines.push(`${indent}  if true:`);
      lines.push(...stepTree(args.IfSteps ?? [], ran, `${indent}    `));
      lines.push(`${indent}  else:`);
      lines.push(...stepTree(args.ElseSteps ?? [], ran, `${indent}    `));
    }
  }
  return lines;
}

/** `[██████░░░░] 6/10` */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

/** A plain-text table with a header row and column widths fitted to the content. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
