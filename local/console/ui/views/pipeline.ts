/** One pipeline: its definition as a graph, and its executions with status and times. */
import { h } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { describePipeline, type ExecutionDescription, executionApi, listExecutions } from '../api';
import {
  ErrorNote,
  Loading,
  Page,
  StatusBadge,
  showList,
  Table,
  Value,
} from '../components/common';
import { GraphView } from '../components/graph-view';
import { DeclaredStep } from '../components/step-details';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { formatDuration, formatTime, TERMINAL_STATUSES } from '../format';
import { tryPipelineGraph } from '../graph';
import { executionHref, pipelinesHref } from '../links';
import { ofType, useReloadOnEvents } from '../live';
import { useLoad } from '../use-load';

/** Summaries have no end time: each execution is described for it (a local runtime, few calls). */
async function executionsWithTimes(name: string): Promise<ExecutionDescription[]> {
  const summaries = await listExecutions(name);
  return Promise.all(summaries.map((s) => executionApi(s.PipelineExecutionArn).describe()));
}

export function PipelineView(props: { name: string }) {
  const pipeline = useLoad(() => describePipeline(props.name), [props.name]);
  const executions = useLoad(() => executionsWithTimes(props.name), [props.name]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const drawn = useMemo(
    () => (pipeline.data ? tryPipelineGraph(pipeline.data.PipelineDefinition) : undefined),
    [pipeline.data],
  );
  useReloadOnEvents(
    executions.reload,
    250,
    (event) =>
      ofType(EXECUTION_STATUS_CHANGE)(event) &&
      event.detail.pipelineArn === pipeline.data?.PipelineArn,
  );

  const graphSection = () => {
    if (pipeline.error) return h(ErrorNote, { error: pipeline.error });
    if (!drawn) return h(Loading, { what: 'the definition' });
    if ('error' in drawn) return h(ErrorNote, { error: drawn.error });
    const g = drawn.graph;
    const node = g.nodes.find((n) => n.name === selected);
    return h(
      'div',
      { class: 'graph-and-details' },
      h(GraphView, { graph: g, selected, onSelect: setSelected, label: `Steps of ${props.name}` }),
      h(
        'div',
        { class: 'details' },
        g.problems.length > 0
          ? h(
              'ul',
              { class: 'problems' },
              g.problems.map((p) => h('li', { key: p }, p)),
            )
          : null,
        node
          ? h(DeclaredStep, { node })
          : h(
              'section',
              { class: 'panel' },
              h('h3', null, 'Parameters'),
              g.parameters.length === 0
                ? h('p', null, 'None.')
                : h(Table, {
                    class: 'table compact',
                    columns: ['Name', 'Type', 'Default'],
                    rows: g.parameters.map((p) =>
                      h(
                        'tr',
                        { key: p.Name },
                        h('th', { scope: 'row' }, p.Name),
                        h('td', null, p.Type),
                        h(
                          'td',
                          null,
                          p.DefaultValue === undefined
                            ? h('span', { class: 'muted' }, 'none')
                            : h(Value, { value: p.DefaultValue }),
                        ),
                      ),
                    ),
                  }),
              h('p', { class: 'muted' }, 'Select a step to see its declaration.'),
            ),
      ),
    );
  };

  const executionsSection = () =>
    showList(executions, { what: 'executions', empty: 'No executions yet.' }, (items) =>
      h(Table, {
        label: `Executions of ${props.name}`,
        columns: ['Execution', 'Status', 'Started', 'Ended', 'Duration', 'Failure reason'],
        rows: items.map((e) => {
          const ended = TERMINAL_STATUSES.includes(e.PipelineExecutionStatus)
            ? e.LastModifiedTime
            : undefined;
          return h(
            'tr',
            { key: e.PipelineExecutionArn, 'data-execution': e.PipelineExecutionArn },
            h(
              'th',
              { scope: 'row' },
              h(
                'a',
                { href: executionHref(e.PipelineExecutionArn) },
                e.PipelineExecutionDisplayName ?? e.PipelineExecutionArn.split('/').at(-1),
              ),
            ),
            h('td', null, h(StatusBadge, { status: e.PipelineExecutionStatus })),
            h('td', null, formatTime(e.CreationTime)),
            h('td', null, formatTime(ended)),
            h('td', null, formatDuration(e.CreationTime, ended)),
            h('td', null, e.FailureReason ?? ''),
          );
        }),
      }),
    );

  return h(
    Page,
    { title: `Pipeline ${props.name}`, crumbs: [[pipelinesHref(), 'Pipelines']] },
    h('h3', null, 'Definition'),
    graphSection(),
    h('h3', null, 'Executions'),
    executionsSection(),
  );
}
