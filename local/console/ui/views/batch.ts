/**
 * One batch: its facts, its progress bar, and its started children, each linking to its
 * execution's page. Read again every second while the batch runs, and on execution status events.
 */
import { h } from 'preact';
import { type BatchChildView, describeBatch, MAX_CHILDREN_SHOWN } from '../batch-api';
import { BatchProgress } from '../components/batch-progress';
import { Facts, Loading, Page, StatusBadge, Table } from '../components/common';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { batchesHref, executionHref } from '../links';
import { ofType, useReloadOnEvents } from '../live';
import { useLoad } from '../use-load';
import { usePoll } from '../use-poll';
import { BATCH_POLL_MS, BatchesError, formatIsoTime } from './batches';

/** The execution id: the last part of its ARN. */
const executionIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function ChildRow(props: { child: BatchChildView }) {
  const { child } = props;
  return h(
    'tr',
    { 'data-child': `${child.pipeline}#${child.index}`, 'data-status': child.status },
    h('td', null, child.pipeline),
    h('td', null, String(child.index)),
    h('td', null, h(StatusBadge, { status: child.status })),
    h('td', null, String(child.attempt)),
    h(
      'td',
      null,
      child.executionArn
        ? h(
            'a',
            {
              href: executionHref(child.executionArn),
              'aria-label': `Execution ${executionIdOf(child.executionArn)} of ${child.pipeline}, item ${child.index}`,
            },
            h('code', null, executionIdOf(child.executionArn)),
          )
        : h('span', { class: 'muted' }, 'not started yet'),
    ),
    h(
      'td',
      null,
      child.failureReason ? h('span', { class: 'failure-reason' }, child.failureReason) : '',
    ),
  );
}

export function BatchDetailView(props: { batchId: string }) {
  const loaded = useLoad(() => describeBatch(props.batchId), [props.batchId]);
  useReloadOnEvents(loaded.reload, 250, ofType(EXECUTION_STATUS_CHANGE));
  const status = loaded.data?.batch.status;
  usePoll(loaded.reload, BATCH_POLL_MS, status === 'RUNNING' || status === 'STOPPING');
  const body = () => {
    if (loaded.error && !loaded.data) return h(BatchesError, { error: loaded.error });
    if (!loaded.data) return h(Loading, { what: 'the batch' });
    const { batch, children, more } = loaded.data;
    return [
      h(Facts, {
        key: 'facts',
        rows: [
          ['Status', h(StatusBadge, { status: batch.status, marker: 'data-batch-status' })],
          ['Created', formatIsoTime(batch.createdAt)],
          ['Finished', formatIsoTime(batch.finishedAt)],
          [
            'Children',
            `${batch.counts.total} (${batch.pipelineCount} pipeline${batch.pipelineCount === 1 ? '' : 's'} × ${batch.itemCount} item${batch.itemCount === 1 ? '' : 's'})`,
          ],
          ['At once', `at most ${batch.maxConcurrentExecutions}`],
        ],
      }),
      h(BatchProgress, { key: 'progress', batch }),
      h('h3', { key: 'children-title', id: 'children-title' }, 'Children started'),
      children.length === 0
        ? h('p', { key: 'none' }, 'No child started yet.')
        : h(Table, {
            key: 'children',
            class: 'table compact',
            labelledBy: 'children-title',
            columns: ['Pipeline', 'Item', 'Status', 'Attempt', 'Execution', 'Failure reason'],
            rows: children.map((child) =>
              h(ChildRow, { key: `${child.pipeline}#${child.index}`, child }),
            ),
          }),
      more
        ? h(
            'p',
            { key: 'more', class: 'muted' },
            `Showing the first ${MAX_CHILDREN_SHOWN.toLocaleString('en')} children; GET /batches/${batch.batchId}/executions pages through all of them.`,
          )
        : null,
    ];
  };
  return h(Page, { title: `Batch ${props.batchId}`, crumbs: [[batchesHref(), 'Batches']] }, body());
}
