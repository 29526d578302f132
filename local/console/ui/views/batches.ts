/**
 * The local ledger's batches, newest first, each with its progress bar. Read again every second
 * while one runs (the ledger changes after the status events that cause it) and on execution
 * status events.
 */
import { h } from 'preact';
import { ConsoleApiError } from '../api';
import { BATCHES_OFF, listBatches } from '../batch-api';
import { BatchProgress } from '../components/batch-progress';
import { ErrorNote, Page, StatusBadge, showList, Table } from '../components/common';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { formatTime } from '../format';
import { batchHref } from '../links';
import { ofType, useReloadOnEvents } from '../live';
import { useLoad } from '../use-load';
import { usePoll } from '../use-poll';

/** How often a view with a running batch reads the ledger again. */
export const BATCH_POLL_MS = 1000;

/** An ISO 8601 time of the ledger, as the console shows times. */
export const formatIsoTime = (iso: string | undefined): string =>
  iso === undefined ? '—' : formatTime(Date.parse(iso) / 1000);

/** What the batch views show when the runtime has no ledger, or the error. */
export function BatchesError(props: { error: unknown }) {
  const { error } = props;
  if (error instanceof ConsoleApiError && error.type === BATCHES_OFF) {
    return h('p', { class: 'note', role: 'status', 'data-batches-off': '' }, error.message);
  }
  return h(ErrorNote, { error });
}

export function BatchesView() {
  const batches = useLoad(listBatches, []);
  useReloadOnEvents(batches.reload, 250, ofType(EXECUTION_STATUS_CHANGE));
  const running = (batches.data ?? []).some(
    (b) => b.status === 'RUNNING' || b.status === 'STOPPING',
  );
  usePoll(batches.reload, BATCH_POLL_MS, running);
  const body = showList(
    batches,
    {
      what: 'batches',
      empty:
        'No batches yet. Submit one with POST /batches (the batch-api function) or the batch-submit function.',
      keepOnError: true,
      error: (error) => h(BatchesError, { error }),
    },
    (items) =>
      h(Table, {
        class: 'table batches',
        columns: ['Batch', 'Status', 'Progress', 'Created', 'Finished'],
        rows: items.map((batch) =>
          h(
            'tr',
            { key: batch.batchId, 'data-batch': batch.batchId, 'data-status': batch.status },
            h(
              'th',
              { scope: 'row' },
              h('a', { href: batchHref(batch.batchId) }, h('code', null, batch.batchId)),
            ),
            h('td', null, h(StatusBadge, { status: batch.status })),
            h('td', { class: 'progress-cell' }, h(BatchProgress, { batch })),
            h('td', null, formatIsoTime(batch.createdAt)),
            h('td', null, formatIsoTime(batch.finishedAt)),
          ),
        ),
      }),
  );
  return h(Page, { title: 'Batches' }, body);
}
