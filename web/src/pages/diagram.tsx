// The connectivity diagram: nodes on a circle, an arrow per allowed flow; clicking an arrow explains it.
// Labels are SVG text children (escaped like everything else).
import type { ExplainQuery } from '../../../src/console/view/explain.js';
import { diagramOf, MAX_DIAGRAM_NODES } from '../../../src/console/view/diagram.js';
import type { MatrixView } from '../../../src/console/view/matrix.js';

const W = 760;
const H = 420;

function shorten(x1: number, y1: number, x2: number, y2: number, by: number): [number, number] {
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  return [x2 - ((x2 - x1) / len) * by, y2 - ((y2 - y1) / len) * by];
}

export function ConnectivityDiagram(props: { view: MatrixView; onSelect: (q: ExplainQuery) => void }) {
  if (props.view.rows.length + props.view.columns.filter((c) => c.kind !== 'pod').length > MAX_DIAGRAM_NODES) return <p class="muted">Too many workloads for a diagram: use the matrix.</p>;
  const d = diagramOf(props.view, W, H);
  return (
    <svg class="diagram" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label="allowed flows between workloads">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
        </marker>
      </defs>
      {d.edges.map((e) => {
        const a = d.nodes[e.from]!;
        const b = d.nodes[e.to]!;
        const [x2, y2] = shorten(a.x, a.y, b.x, b.y, 12);
        return (
          <g class="edge" key={`${e.from}-${e.to}`} onClick={() => props.onSelect(e.query)} data-edge={`${a.label} -> ${b.label}`}>
            <title>
              {a.label} → {b.label}: allowed (click to explain)
            </title>
            <line x1={a.x} y1={a.y} x2={x2} y2={y2} class="hit" />
            <line x1={a.x} y1={a.y} x2={x2} y2={y2} class="flow" marker-end="url(#arrow)" />
          </g>
        );
      })}
      {d.nodes.map((n) => (
        <g class={`node ${n.kind}`} key={n.label}>
          <circle cx={n.x} cy={n.y} r={9} />
          <text x={n.x + (n.x >= W / 2 ? 14 : -14)} y={n.y + 4} text-anchor={n.x >= W / 2 ? 'start' : 'end'}>
            {n.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
