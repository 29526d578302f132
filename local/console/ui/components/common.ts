/** Small shared pieces: page, table, status badge, error note, values, JSON block, definition list. */
import { type ComponentChildren, h } from 'preact';
import { statusClass } from '../format';
import type { Loaded } from '../use-load';

/**
 * A view's page: breadcrumbs (each `[href, label]`), the title that navigation moves focus to
 * (`#page-title`), then the children.
 */
export function Page(props: {
  title: string;
  crumbs?: [href: string, label: string][];
  children?: ComponentChildren;
}) {
  const crumbs = props.crumbs ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'page-title' },
    crumbs.length > 0
      ? h(
          'p',
          { class: 'crumbs' },
          crumbs.flatMap(([href, label]) => [h('a', { key: href, href }, label), ' / ']),
        )
      : null,
    h('h2', { id: 'page-title', tabIndex: -1 }, props.title),
    props.children,
  );
}

/** A table with one header row of `columns`; `rows` are the body's rows. */
export function Table(props: {
  columns: string[];
  rows: ComponentChildren;
  class?: string;
  label?: string;
  labelledBy?: string;
}) {
  return h(
    'table',
    {
      class: props.class ?? 'table',
      'aria-label': props.label,
      'aria-labelledby': props.labelledBy,
    },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        props.columns.map((column) => h('th', { scope: 'col', key: column }, column)),
      ),
    ),
    h('tbody', null, props.rows),
  );
}

/** A status as a badge; `marker` names a data attribute that carries the status too. */
export function StatusBadge(props: { status: string; marker?: `data-${string}` }) {
  const { status, marker } = props;
  return h(
    'span',
    { class: `badge ${statusClass(status)}`, ...(marker ? { [marker]: status } : {}) },
    status,
  );
}

/** A JSON value in a table cell: a string as it is, anything else as JSON. */
export function Value(props: { value: unknown }) {
  const { value } = props;
  return h('code', { class: 'value' }, typeof value === 'string' ? value : JSON.stringify(value));
}

export function ErrorNote(props: { error: unknown }) {
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return h('p', { class: 'error', role: 'alert' }, message);
}

export function JsonBlock(props: { value: unknown; label?: string }) {
  return h(
    'pre',
    { class: 'json', tabIndex: 0, 'aria-label': props.label },
    JSON.stringify(props.value, null, 2),
  );
}

export function Facts(props: { rows: [string, ComponentChildren][] }) {
  return h(
    'dl',
    { class: 'facts' },
    props.rows.flatMap(([term, value]) => [
      h('dt', { key: `t-${term}` }, term),
      h('dd', { key: `d-${term}` }, value),
    ]),
  );
}

export function Loading(props: { what: string }) {
  return h('p', { class: 'loading', role: 'status' }, `Loading ${props.what}…`);
}

/**
 * A loaded list as a view shows it: the error, "Loading …", the `empty` note, or `render(items)`.
 * With `keepOnError`, a failed reload leaves the items read before on the page.
 */
export function showList<T>(
  list: Loaded<T[]>,
  options: {
    what: string;
    empty: string;
    keepOnError?: boolean;
    error?: (error: unknown) => ComponentChildren;
  },
  render: (items: T[]) => ComponentChildren,
): ComponentChildren {
  const { data, error } = list;
  if (error && !(options.keepOnError && data)) {
    return options.error ? options.error(error) : h(ErrorNote, { error });
  }
  if (!data) return h(Loading, { what: options.what });
  if (data.length === 0) return h('p', null, options.empty);
  return render(data);
}
