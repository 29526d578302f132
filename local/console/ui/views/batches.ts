/**
 * The local ledger's batches, newest first, each with its progress bar. Read again every second
 * while one runs (the ledger changes after the status events that cause it) and on execution
 * status events.
 */
import { h } from 'preact';
import { ConsoleApiError } from '../api';
import { BATCHES_OFF, listBatches } from '../batch-api';
import { BatchProgress } from '../components/batch-progress';
import { ErrorNote, Loading, StatusBadge } from '../components/common';
import { EXECUTION_STATUS_CHANGE } from '../event-types';
import { formatTime } from '../format';
import { batchHref } from '../links';
import { useLiveEvents } from '../live';
import { useDebounced, useLoad } from '../use-load';
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
  const refresh = useDebounced(batches.reload, 250);
  useLiveEvents((message) => {
    if (message.kind === 'reconnected' || message.event['detail-type'] === EXECUTION_STATUS_CHANGE)
      refresh();
  });
  const running = (batches.data ?? []).some(
    (b) => b.status === 'RUNNING' || b.status === 'STOPPING',
  );
  usePoll(batches.reload, BATCH_POLL_MS, running);
  const body = () => {
    if (batches.error && !batches.data) return h(BatchesError, { error: batches.error });
    if (!batches.data) return h(Loading, { what: 'batches' });
    if (batches.data.length === 0) {
      return h(
        'p',
        null,
        'No batches yet. Submit one with POST /batches (the batch-api function) or the batch-submit function.',
      );
    }
    return h(
      'table',
      { class: 'table batches' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Batch'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Progress'),
          h('th', { scope: 'col' }, 'Created'),
          h('th', { scope: 'col' }, 'Finished'),
        ),
      ),
      h(
        'tbody',
        null,
        batches.data.map((batch) =>
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
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'page-title' },
    h('h2', { id: 'page-title', tabIndex: -1 }, 'Batches'),
    body(),
  );
}
