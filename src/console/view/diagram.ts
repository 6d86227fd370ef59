// The matrix as a diagram: each workload and each well-known destination (DNS, metadata endpoint, external
// address) is a node on a circle, each allowed flow an arrow. Pure layout; the page draws it as SVG.
import type { ExplainQuery } from './explain.js';
import type { MatrixView } from './matrix.js';

export interface DiagramNode {
  label: string;
  kind: 'pod' | 'dns' | 'metadata' | 'external';
  x: number;
  y: number;
}

export interface DiagramEdge {
  from: number;
  to: number;
  query: ExplainQuery;
}

export interface Diagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export const MAX_DIAGRAM_NODES = 40;

/** Nodes on a circle of the given size: the workloads first, then the well-known destinations. */
export function diagramOf(view: MatrixView, width: number, height: number): Diagram {
  const workloads = view.rows.length;
  const columns = view.columns;
  // Pod columns are the rows again (column i is workload i); the others are nodes of their own.
  const nodeOfColumn = columns.map((c, i) => (c.kind === 'pod' ? i : workloads + (i - columns.filter((k) => k.kind === 'pod').length)));
  const labels = [...view.rows.map((r) => ({ label: r.label, kind: 'pod' as const })), ...columns.filter((c) => c.kind !== 'pod').map((c) => ({ label: c.label, kind: c.kind }))];
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.max(10, Math.min(width, height) / 2 - 70);
  const nodes = labels.map((l, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / labels.length;
    return { ...l, x: Math.round(cx + r * Math.cos(angle)), y: Math.round(cy + r * Math.sin(angle)) };
  });
  const edges: DiagramEdge[] = [];
  view.cells.forEach((row, from) =>
    row.forEach((cell, c) => {
      const to = nodeOfColumn[c]!;
      if (cell.verdict === 'allowed' && to !== from) edges.push({ from, to, query: cell.query });
    }),
  );
  return { nodes, edges };
}
