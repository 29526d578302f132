/**
 * The console's pages. To add a view, add an entry here: a hash path pattern, what to render, and
 * a `nav` label to list it in the header.
 */
import { type ComponentChild, h } from 'preact';
import { BatchDetailView } from './views/batch';
import { BatchesView } from './views/batches';
import { CallbacksView } from './views/callbacks';
import { ExecutionView } from './views/execution';
import { PipelineView } from './views/pipeline';
import { PipelinesView } from './views/pipelines';

export interface ConsoleRoute {
  /** Matched against the hash without its `#`, e.g. `/pipelines/parent`. */
  pattern: RegExp;
  /** Renders the page; `match` holds the pattern's decoded groups. */
  render(match: string[]): ComponentChild;
  /** Shown in the header's navigation, linking to `href`. */
  nav?: { label: string; href: string };
}

export const ROUTES: ConsoleRoute[] = [
  {
    pattern: /^\/?$/,
    render: () => h(PipelinesView, null),
    nav: { label: 'Pipelines', href: '#/' },
  },
  { pattern: /^\/pipelines\/([^/]+)$/, render: ([name]) => h(PipelineView, { name: name ?? '' }) },
  { pattern: /^\/executions\/([^/]+)$/, render: ([arn]) => h(ExecutionView, { arn: arn ?? '' }) },
  {
    pattern: /^\/callbacks$/,
    render: () => h(CallbacksView, null),
    nav: { label: 'Callbacks', href: '#/callbacks' },
  },
  {
    pattern: /^\/batches$/,
    render: () => h(BatchesView, null),
    nav: { label: 'Batches', href: '#/batches' },
  },
  {
    pattern: /^\/batches\/([^/]+)$/,
    render: ([batchId]) => h(BatchDetailView, { batchId: batchId ?? '' }),
  },
];

/** The page for a hash, or undefined when none matches. */
export function route(hash: string, routes: ConsoleRoute[] = ROUTES): ComponentChild | undefined {
  const path = hash.replace(/^#/, '');
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (match) return candidate.render(match.slice(1).map((part) => decodeURIComponent(part)));
  }
  return undefined;
}
