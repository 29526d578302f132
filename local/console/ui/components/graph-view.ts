/**
 * A laid-out pipeline graph: edges in SVG, steps as real buttons over it (keyboard reachable,
 * status written out, not only coloured). `data-step` and `data-status` name each step's node.
 */
import { h } from 'preact';
import { useMemo } from 'preact/hooks';
import { statusClass } from '../format';
import type { EdgeKind, PipelineGraph } from '../graph';
import { layoutGraph, type PlacedEdge } from '../layout';

export interface GraphViewProps {
  graph: PipelineGraph;
  /** Status per step name; steps without one are drawn as not started. */
  statuses?: ReadonlyMap<string, string>;
  /** The label for steps that have no status (default: none shown). */
  idleLabel?: string;
  selected?: string;
  onSelect(step: string): void;
  label: string;
}

const EDGE_LABELS: Record<EdgeKind, string> = {
  if: 'if true',
  else: 'else',
  depends: '',
  data: '',
};

function edgePath(edge: PlacedEdge): string {
  const [first, ...rest] = edge.points;
  if (!first) return '';
  return `M${first.x},${first.y}${rest.map((p) => ` L${p.x},${p.y}`).join('')}`;
}

function edgeClass(edge: PlacedEdge): string {
  if (edge.kinds.includes('if')) return 'edge edge-if';
  if (edge.kinds.includes('else')) return 'edge edge-else';
  if (edge.kinds.includes('depends') && !edge.kinds.includes('data')) return 'edge edge-depends';
  return 'edge edge-data';
}

function edgeTitle(edge: PlacedEdge): string {
  const why = edge.kinds.map((kind) =>
    kind === 'data' ? 'reads its outputs' : kind === 'depends' ? 'DependsOn' : `${kind} branch`,
  );
  return `${edge.from} → ${edge.to}: ${why.join(', ')}`;
}

export function GraphView(props: GraphViewProps) {
  const layout = useMemo(() => layoutGraph(props.graph), [props.graph]);
  const types = new Map(props.graph.nodes.map((n) => [n.name, n]));
  return h(
    'div',
    { class: 'graph-scroll' },
    h(
      'div',
      {
        class: 'graph',
        role: 'group',
        'aria-label': props.label,
        style: { width: `${layout.width}px`, height: `${layout.height}px` },
      },
      h(
        'svg',
        {
          class: 'graph-edges',
          width: layout.width,
          height: layout.height,
          viewBox: `0 0 ${layout.width} ${layout.height}`,
          'aria-hidden': 'true',
        },
        h(
          'defs',
          null,
          h(
            'marker',
            {
              id: 'arrow',
              viewBox: '0 0 10 10',
              refX: 9,
              refY: 5,
              markerWidth: 7,
              markerHeight: 7,
              orient: 'auto-start-reverse',
            },
            h('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }),
          ),
        ),
        layout.edges.map((edge) => {
          const branch = edge.kinds.find((kind) => kind === 'if' || kind === 'else');
          const label = branch ? EDGE_LABELS[branch] : '';
          return h(
            'g',
            { key: `${edge.from}->${edge.to}` },
            h('title', null, edgeTitle(edge)),
            h('path', { d: edgePath(edge), class: edgeClass(edge), 'marker-end': 'url(#arrow)' }),
            label && edge.label
              ? h(
                  'text',
                  {
                    x: edge.label.x,
                    y: edge.label.y,
                    class: 'edge-label',
                    'text-anchor': 'middle',
                    'dominant-baseline': 'central',
                  },
                  label,
                )
              : null,
          );
        }),
      ),
      layout.nodes.map((placed) => {
        const node = types.get(placed.name);
        const status = props.statuses?.get(placed.name);
        const shown = status ?? props.idleLabel;
        return h(
          'button',
          {
            key: placed.name,
            type: 'button',
            class: `node type-${(node?.type ?? 'unknown').toLowerCase()} ${status ? statusClass(status) : 'status-none'}`,
            style: {
              left: `${placed.x}px`,
              top: `${placed.y}px`,
              width: `${placed.width}px`,
              height: `${placed.height}px`,
            },
            'aria-pressed': props.selected === placed.name ? 'true' : 'false',
            'data-step': placed.name,
            'data-status': status ?? '',
            onClick: () => props.onSelect(placed.name),
          },
          h('span', { class: 'node-name' }, node?.displayName ?? placed.name),
          h(
            'span',
            { class: 'node-meta' },
            h('span', { class: 'node-type' }, node?.type ?? 'Unknown'),
            shown ? h('span', { class: 'node-status' }, shown) : null,
          ),
        );
      }),
    ),
  );
}
