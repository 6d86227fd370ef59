// The matrix as a Mermaid flowchart: one box per namespace, an arrow per allowed flow (loopback
// omitted). Arrows to a metadata endpoint are drawn red: they should not exist.
import type { ConnectivityMatrix, MatrixColumn } from '../matrix.js';

/** Mermaid labels are quoted; a quote inside becomes the #quot; entity. */
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

function wellKnownNode(col: MatrixColumn, id: string): string {
  if (col.kind === 'dns') return `${id}[(${label(col.id)})]`;
  if (col.kind === 'metadata') return `${id}{{${label(col.id)}}}`;
  return `${id}((${label(col.id)}))`;
}

export function matrixToMermaid(matrix: ConnectivityMatrix): string {
  const lines = ['flowchart LR', `  %% pods on ${matrix.traffic.protocol}/${matrix.traffic.port}; an arrow is an allowed flow`];
  const nodeOf = new Map<string, string>();
  const namespaces = new Map<string, Array<{ id: string; name: string }>>();
  matrix.columns.forEach((col, i) => {
    if (col.endpoint.kind !== 'pod' || col.kind !== 'pod') return;
    const id = `p${i}`;
    nodeOf.set(col.id, id);
    const ns = col.endpoint.pod.namespace;
    namespaces.set(ns, [...(namespaces.get(ns) ?? []), { id, name: col.endpoint.pod.name }]);
  });
  [...namespaces].forEach(([ns, pods], n) => {
    lines.push(`  subgraph ns${n}[${label(ns)}]`);
    for (const pod of pods) lines.push(`    ${pod.id}[${label(pod.name)}]`);
    lines.push('  end');
  });
  matrix.columns.forEach((col, i) => {
    if (col.kind !== 'pod') lines.push(`  ${wellKnownNode(col, `w${i}`)}`);
  });
  const redEdges: number[] = [];
  let edgeCount = 0;
  matrix.rows.forEach((row, r) => {
    const source = nodeOf.get(row);
    if (!source) return;
    matrix.columns.forEach((col, c) => {
      const decision = matrix.decisions[r]![c]!;
      if (!decision.allowed || decision.loopback) return;
      if (col.kind === 'pod') lines.push(`  ${source} --> p${c}`);
      else lines.push(`  ${source} -->|${col.traffic.protocol.toLowerCase()}/${col.traffic.port}| w${c}`);
      if (col.kind === 'metadata') redEdges.push(edgeCount);
      edgeCount++;
    });
  });
  if (redEdges.length > 0) lines.push(`  linkStyle ${redEdges.join(',')} stroke:#c62828,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}
