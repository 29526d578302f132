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

/** The outputs (or failure) of a step, on one line. */
export function stepDetail(step: PipelineExecutionStep): string {
  if (step.FailureReason) return `reason: ${step.FailureReason}`;
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
