// The matrix as JSON: a boolean grid for scripts, plus each cell's verdicts for tooling (NetworkPolicy's
// per side, and the guardrail verdicts per side when guardrails were given).
import type { ConnectivityMatrix } from '../matrix.js';

export function matrixToJson(matrix: ConnectivityMatrix): string {
  const out = {
    traffic: matrix.traffic,
    rows: matrix.rows,
    columns: matrix.columns.map((c) => ({ id: c.id, kind: c.kind, port: c.traffic.port, protocol: c.traffic.protocol })),
    allowed: matrix.decisions.map((row) => row.map((d) => d.allowed)),
    cells: matrix.rows.flatMap((from, r) =>
      matrix.columns.map((col, c) => {
        const d = matrix.decisions[r]![c]!;
        return { from, to: col.id, allowed: d.allowed, egress: d.egress, ingress: d.ingress, ...(d.guardrails ? { guardrails: d.guardrails } : {}) };
      }),
    ),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
