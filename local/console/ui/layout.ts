/** Positions a pipeline graph with dagre (top to bottom, in the order steps run). */
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { EdgeKind, PipelineGraph } from './graph';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 66;
/** Room dagre keeps for a branch edge's "if true" / "else" label. */
const LABEL_WIDTH = 48;
const LABEL_HEIGHT = 18;

export interface PlacedNode {
  name: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  kinds: EdgeKind[];
  points: { x: number; y: number }[];
  /** Centre of the edge's label, for branch edges. */
  label?: { x: number; y: number };
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Lays the graph out; every node and edge of the graph is in the result. */
export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}) as EdgeLabel);
  for (const node of graph.nodes) g.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of graph.edges) {
    const labelled = edge.kinds.includes('if') || edge.kinds.includes('else');
    g.setEdge(
      edge.from,
      edge.to,
      labelled ? { width: LABEL_WIDTH, height: LABEL_HEIGHT, labelpos: 'c' } : {},
    );
  }
  dagre.layout(g);
  const nodes = graph.nodes.map((node) => {
    const placed = g.node(node.name);
    return {
      name: node.name,
      x: (placed.x ?? 0) - NODE_WIDTH / 2,
      y: (placed.y ?? 0) - NODE_HEIGHT / 2,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    };
  });
  const edges = graph.edges.map((edge) => {
    const placed = g.edge(edge.from, edge.to);
    return {
      ...edge,
      points: (placed?.points ?? []).map(({ x, y }) => ({ x, y })),
      ...(placed?.x !== undefined && placed.y !== undefined && placed.width
        ? { label: { x: placed.x, y: placed.y } }
        : {}),
    };
  });
  const label = g.graph();
  return { width: label.width ?? 0, height: label.height ?? 0, nodes, edges };
}
