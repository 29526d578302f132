/** The list of pipelines. */
import { h } from 'preact';
import { listPipelines } from '../api';
import { Page, showList, Table } from '../components/common';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { formatTime } from '../format';
import { pipelineHref } from '../links';
import { ofType, useReloadOnEvents } from '../live';
import { useLoad } from '../use-load';

export function PipelinesView() {
  const pipelines = useLoad(listPipelines, []);
  useReloadOnEvents(pipelines.reload, 250, ofType(EXECUTION_STATUS_CHANGE));
  const body = showList(
    pipelines,
    {
      what: 'pipelines',
      empty:
        'No pipelines yet. Create one with the API (CreatePipeline) or start the runtime with a pipelines folder.',
    },
    (items) =>
      h(Table, {
        columns: ['Pipeline', 'Description', 'Created', 'Last execution'],
        rows: items.map((p) =>
          h(
            'tr',
            { key: p.PipelineArn },
            h(
              'th',
              { scope: 'row' },
              h(
                'a',
                { href: pipelineHref(p.PipelineName) },
                p.PipelineDisplayName ?? p.PipelineName,
              ),
            ),
            h('td', null, p.PipelineDescription ?? ''),
            h('td', null, formatTime(p.CreationTime)),
            h('td', null, formatTime(p.LastExecutionTime)),
          ),
        ),
      }),
  );
  return h(Page, { title: 'Pipelines' }, body);
}
