/**
 * One execution: its graph coloured by step status, updated live from the event stream (each
 * event sets its step's status at once, then the steps are read again for outputs and times),
 * the clicked step's details, and the execution's waiting callbacks.
 */
import { h } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type ExecutionStep, executionApi, listCallbacks } from '../api';
import type { EvaluationContext } from '../arguments';
import { CallbackCard } from '../components/callbacks';
import { ErrorNote, Facts, Loading, Page, StatusBadge } from '../components/common';
import { GraphView } from '../components/graph-view';
import { ExecutedStep } from '../components/step-details';
import { EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE } from '../event-types';
import { formatDuration, formatTime, TERMINAL_STATUSES } from '../format';
import { tryPipelineGraph } from '../graph';
import { pipelineHref, pipelinesHref } from '../links';
import { useLiveEvents } from '../live';
import { useDebounced, useLoad } from '../use-load';

const ORDER = ['Starting', 'Executing', 'Stopping'];

/** How far along a step status is: terminal statuses are last. */
function progress(status: string): number {
  const index = ORDER.indexOf(status);
  return index === -1 ? ORDER.length : index;
}

async function loadRun(arn: string) {
  const reads = executionApi(arn);
  const [execution, steps, callbacks] = await Promise.all([
    reads.describe(),
    reads.steps(),
    listCallbacks(),
  ]);
  return {
    execution,
    steps,
    callbacks: callbacks.filter((c) => c.pipelineExecutionArn === arn),
  };
}

async function loadFixed(arn: string) {
  const reads = executionApi(arn);
  const [definition, parameters] = await Promise.all([reads.definition(), reads.parameters()]);
  return { drawn: tryPipelineGraph(definition), parameters };
}

export function ExecutionView(props: { arn: string }) {
  const fixed = useLoad(() => loadFixed(props.arn), [props.arn]);
  const run = useLoad(() => loadRun(props.arn), [props.arn]);
  /** Statuses from events newer than the last read of the steps. */
  const [live, setLive] = useState<Map<string, string>>(new Map());
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const refresh = useDebounced(() => {
    run.reload();
  }, 120);
  useLiveEvents((message) => {
    if (message.kind === 'reconnected') return refresh();
    const { event } = message;
    if (event.detail.pipelineExecutionArn !== props.arn) return;
    if (event['detail-type'] === STEP_STATUS_CHANGE) {
      const name = String(event.detail.stepName);
      const status = String(event.detail.currentStepStatus);
      setLive((previous) => new Map(previous).set(name, status));
    }
    if (
      event['detail-type'] === STEP_STATUS_CHANGE ||
      event['detail-type'] === EXECUTION_STATUS_CHANGE
    )
      refresh();
  });

  const statuses = useMemo(() => {
    const map = new Map<string, string>();
    for (const step of run.data?.steps ?? []) map.set(step.StepName, step.StepStatus);
    // Events and reads race: whichever says the step is further along wins.
    for (const [name, status] of live) {
      const listed = map.get(name);
      if (!listed || progress(status) > progress(listed)) map.set(name, status);
    }
    return map;
  }, [run.data, live]);

  if (fixed.error) return h(ErrorNote, { error: fixed.error });
  if (run.error && !run.data) return h(ErrorNote, { error: run.error });
  if (!fixed.data || !run.data) return h(Loading, { what: 'the execution' });
  const { drawn, parameters } = fixed.data;
  if ('error' in drawn) return h(ErrorNote, { error: drawn.error });
  const { graph } = drawn;
  const { execution, steps, callbacks } = run.data;
  const pipelineName = execution.PipelineArn.slice(
    execution.PipelineArn.indexOf(':pipeline/') + 10,
  );
  const terminal = TERMINAL_STATUSES.includes(execution.PipelineExecutionStatus);
  const node = graph.nodes.find((n) => n.name === selected);
  const stepOf = (name: string): ExecutionStep | undefined =>
    steps.find((s) => s.StepName === name);
  const context: EvaluationContext = {
    graph,
    parameters,
    steps,
    executionArn: execution.PipelineExecutionArn,
    pipelineArn: execution.PipelineArn,
    startTime: new Date((execution.CreationTime ?? 0) * 1000),
  };
  const outputsOf = (stepName: string) =>
    graph.nodes.find((n) => n.name === stepName)?.outputs ?? [];
  const waitingFor = (stepName: string) => callbacks.find((c) => c.stepName === stepName);

  return h(
    Page,
    {
      title: `Execution ${execution.PipelineExecutionDisplayName ?? execution.PipelineExecutionArn}`,
      crumbs: [
        [pipelinesHref(), 'Pipelines'],
        [pipelineHref(pipelineName), pipelineName],
      ],
    },
    h(Facts, {
      rows: [
        [
          'Status',
          h(StatusBadge, {
            status: execution.PipelineExecutionStatus,
            marker: 'data-execution-status',
          }),
        ],
        ['Started', formatTime(execution.CreationTime)],
        ['Ended', terminal ? formatTime(execution.LastModifiedTime) : '—'],
        [
          'Duration',
          terminal ? formatDuration(execution.CreationTime, execution.LastModifiedTime) : '—',
        ],
        ['Parameters', parameters.map((p) => `${p.Name}=${p.Value}`).join(', ') || 'none'],
        ['ARN', h('code', null, execution.PipelineExecutionArn)],
        ...(execution.FailureReason
          ? ([
              ['Failure reason', h('span', { class: 'failure-reason' }, execution.FailureReason)],
            ] as [string, ReturnType<typeof h>][])
          : []),
      ],
    }),
    callbacks.length > 0
      ? h(
          'section',
          { class: 'callbacks', 'aria-labelledby': 'callbacks-title' },
          h('h3', { id: 'callbacks-title' }, `Waiting callbacks (${callbacks.length})`),
          callbacks.map((callback) =>
            h(CallbackCard, {
              key: callback.token,
              callback,
              outputs: outputsOf(callback.stepName),
              onDone: refresh,
            }),
          ),
        )
      : null,
    h('h3', null, 'Steps'),
    h(
      'div',
      { class: 'graph-and-details' },
      h(GraphView, {
        graph,
        statuses,
        idleLabel: terminal ? 'Not run' : 'Not started',
        selected,
        onSelect: setSelected,
        label: `Steps of execution ${execution.PipelineExecutionDisplayName ?? ''}`,
      }),
      h(
        'div',
        { class: 'details' },
        node
          ? h(ExecutedStep, {
              node,
              step: stepOf(node.name),
              context,
              ...(waitingFor(node.name)
                ? { callbackArguments: waitingFor(node.name)?.arguments }
                : {}),
            })
          : h(
              'section',
              { class: 'panel' },
              h(
                'p',
                { class: 'muted' },
                'Select a step to see its arguments, outputs, failure reason and times.',
              ),
            ),
      ),
    ),
  );
}
