/**
 * A batch's counts as one bar: succeeded, failed, stopped, running and pending children side by
 * side, each segment as wide as its share. The bar is a `progressbar` (finished of total); the
 * counts are also written out beside it, so nothing is told by colour alone.
 */
import { h } from 'preact';
import type { BatchView } from '../batch-api';

const SEGMENTS = ['succeeded', 'failed', 'stopped', 'running', 'pending'] as const;

/** `3 succeeded, 1 failed, 0 stopped, 2 running, 0 pending`. */
export const countsText = (counts: BatchView['counts']): string =>
  SEGMENTS.map((name) => `${counts[name]} ${name}`).join(', ');

export const finishedOf = (counts: BatchView['counts']): number =>
  counts.succeeded + counts.failed + counts.stopped;

export function BatchProgress(props: { batch: BatchView }) {
  const { counts, batchId } = props.batch;
  const finished = finishedOf(counts);
  const total = Math.max(counts.total, 1);
  return h(
    'div',
    { class: 'batch-progress' },
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-label': `Batch ${batchId}: children finished`,
        'aria-valuemin': 0,
        'aria-valuemax': counts.total,
        'aria-valuenow': finished,
        'aria-valuetext': `${finished} of ${counts.total} finished: ${countsText(counts)}`,
      },
      SEGMENTS.filter((name) => counts[name] > 0).map((name) =>
        h('span', {
          key: name,
          class: `segment segment-${name}`,
          style: { width: `${(100 * counts[name]) / total}%` },
        }),
      ),
    ),
    h(
      'ul',
      { class: 'bar-legend', 'data-counts': countsText(counts) },
      h(
        'li',
        { key: 'finished', class: 'bar-finished' },
        `${finished} of ${counts.total} finished`,
      ),
      SEGMENTS.map((name) =>
        h(
          'li',
          { key: name },
          h('span', { class: `swatch segment-${name}`, 'aria-hidden': 'true' }),
          `${counts[name]} ${name}`,
        ),
      ),
    ),
  );
}
