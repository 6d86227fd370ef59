// The matrix as a terminal table, in the upstream e2e style: `.` allowed, `X` denied.
import type { ConnectivityMatrix } from '../matrix.js';

export function matrixToText(matrix: ConnectivityMatrix): string {
  const { port, protocol } = matrix.traffic;
  const rowWidth = Math.max(4, ...matrix.rows.map((r) => r.length));
  const widths = matrix.columns.map((c) => Math.max(c.id.length, 1));
  const header = `${'from \\ to'.padEnd(rowWidth)}  ${matrix.columns.map((c, i) => c.id.padEnd(widths[i]!)).join('  ')}`;
  const body = matrix.rows.map((row, r) => {
    const cells = matrix.decisions[r]!.map((d, i) => center(d.allowed ? '.' : 'X', widths[i]!));
    return `${row.padEnd(rowWidth)}  ${cells.join('  ')}`;
  });
  const legend = `pods on ${protocol}/${port}; well-known destinations on their own port. '.' allowed, 'X' denied (rows: source, columns: destination)`;
  return `${[legend, '', header, ...body].map((l) => l.trimEnd()).join('\n')}\n`;
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}
