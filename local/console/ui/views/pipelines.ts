/** The list of pipelines. */
import { h } from 'preact';
import { listPipelines } from '../api';
import { ErrorNote, Loading } from '../components/common';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { formatTime } from '../format';
import { pipelineHref } from '../links';
import { useLiveEvents } from '../live';
import { useDebounced, useLoad } from '../use-load';

export function PipelinesView() {
  const pipelines = useLoad(listPipelines, []);
  const refresh = useDebounced(pipelines.reload, 250);
  useLiveEvents((message) => {
    if (message.kind === 'reconnected' || message.event['detail-type'] === EXECUTION_STATUS_CHANGE)
      refresh();
  });
  const body = () => {
    if (pipelines.error) return h(ErrorNote, { error: pipelines.error });
    if (!pipelines.data) return h(Loading, { what: 'pipelines' });
    if (pipelines.data.length === 0) {
      return h(
        'p',
        null,
        'No pipelines yet. Create one with the API (CreatePipeline) or start the runtime with a pipelines folder.',
      );
    }
    return h(
      'table',
      { class: 'table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Pipeline'),
          h('th', { scope: 'col' }, 'Description'),
          h('th', { scope: 'col' }, 'Created'),
          h('th', { scope: 'col' }, 'Last execution'),
        ),
      ),
      h(
        'tbody',
        null,
        pipelines.data.map((p) =>
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
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'page-title' },
    h('h2', { id: 'page-title', tabIndex: -1 }, 'Pipelines'),
    body(),
  );
}
