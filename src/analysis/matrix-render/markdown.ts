// The matrix as a GitHub-flavoured Markdown table, for pull requests and docs.
import type { ConnectivityMatrix } from '../matrix.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

export function matrixToMarkdown(matrix: ConnectivityMatrix): string {
  const { port, protocol } = matrix.traffic;
  const header = `| from \\ to | ${matrix.columns.map((c) => escapeCell(c.id)).join(' | ')} |`;
  const rule = `|---|${matrix.columns.map(() => ':-:').join('|')}|`;
  const rows = matrix.rows.map((row, r) => `| ${escapeCell(row)} | ${matrix.decisions[r]!.map((d) => (d.allowed ? '✅' : '❌')).join(' | ')} |`);
  return `Pods on ${protocol}/${port}; well-known destinations on their own port. ✅ allowed, ❌ denied.\n\n${[header, rule, ...rows].join('\n')}\n`;
}
