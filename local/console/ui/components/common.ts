/** Small shared pieces: status badge, error note, JSON block, definition list. */
import { type ComponentChildren, h } from 'preact';
import { statusClass } from '../format';

export function StatusBadge(props: { status: string }) {
  return h('span', { class: `badge ${statusClass(props.status)}` }, props.status);
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
