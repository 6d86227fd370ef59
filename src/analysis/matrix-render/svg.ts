// The matrix as a self-contained SVG heat map: rows are sources, columns destinations, green
// allowed, red denied; well-known destinations sit after a gap. Each cell has a tooltip with the
// deciding policies. No scripts, no external fonts or images.
import { summarizeDecision } from '../explain.js';
import type { ConnectivityMatrix } from '../matrix.js';

const CELL = 24;
const GAP = 12;
const CHAR = 7.2; // monospace 12px advance, to size the label areas
const ALLOWED = '#2e7d32';
const DENIED = '#c62828';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function matrixToSvg(matrix: ConnectivityMatrix, title?: string): string {
  const heading = title ?? `Connectivity: pods on ${matrix.traffic.protocol}/${matrix.traffic.port}`;
  const left = Math.ceil(Math.max(8, ...matrix.rows.map((r) => r.length)) * CHAR) + 16;
  const labelHeight = Math.ceil(Math.max(4, ...matrix.columns.map((c) => c.id.length)) * CHAR * Math.SQRT1_2) + 24;
  const top = 40 + labelHeight;
  const firstWellKnown = matrix.columns.findIndex((c) => c.kind !== 'pod');
  const x = (c: number) => left + c * CELL + (firstWellKnown >= 0 && c >= firstWellKnown ? GAP : 0);
  const gridRight = x(Math.max(matrix.columns.length - 1, 0)) + CELL;
  const note = 'rows: source, columns: destination; well-known destinations on their own port; faded: loopback; hover a cell for the policies';
  const width = Math.ceil(Math.max(gridRight + labelHeight + 16, note.length * CHAR + 16, heading.length * CHAR * 1.2 + 16));
  const height = top + matrix.rows.length * CELL + 72;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    `<title>${escapeXml(heading)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(heading)}</text>`,
  ];
  matrix.columns.forEach((col, c) => {
    const cx = x(c) + CELL / 2;
    out.push(`<text x="${cx}" y="${top - 6}" transform="rotate(-45 ${cx} ${top - 6})">${escapeXml(col.id)}</text>`);
  });
  matrix.rows.forEach((row, r) => {
    const y = top + r * CELL;
    out.push(`<text x="${left - 8}" y="${y + CELL / 2 + 4}" text-anchor="end">${escapeXml(row)}</text>`);
    matrix.decisions[r]!.forEach((d, c) => {
      const col = matrix.columns[c]!;
      const tip = `${row} -> ${col.id} (${col.traffic.protocol}/${col.traffic.port}): ${d.allowed ? 'allowed' : 'denied'}. ${summarizeDecision(d)}`;
      out.push(
        `<rect x="${x(c) + 1}" y="${y + 1}" width="${CELL - 2}" height="${CELL - 2}" fill="${d.allowed ? ALLOWED : DENIED}"${d.loopback ? ' fill-opacity="0.55"' : ''}><title>${escapeXml(tip)}</title></rect>`,
      );
    });
  });
  const legendY = top + matrix.rows.length * CELL + 24;
  out.push(
    `<rect x="8" y="${legendY - 11}" width="14" height="14" fill="${ALLOWED}"/><text x="28" y="${legendY}">allowed</text>`,
    `<rect x="100" y="${legendY - 11}" width="14" height="14" fill="${DENIED}"/><text x="120" y="${legendY}">denied</text>`,
    `<text x="8" y="${legendY + 22}">${escapeXml(note)}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
