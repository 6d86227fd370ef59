// Comparing two verdict tables cell by cell, with a readable list of the cells that differ.
import type { Measurement } from './measure.js';

export function tableDiff(left: { name: string; table: ReadonlyMap<string, boolean> }, right: { name: string; table: ReadonlyMap<string, boolean> }, raw?: Measurement['raw']): string[] {
  const out: string[] = [];
  const word = (v: boolean | undefined) => (v === undefined ? 'missing' : v ? 'allowed' : 'denied');
  for (const key of new Set([...left.table.keys(), ...right.table.keys()])) {
    const a = left.table.get(key);
    const b = right.table.get(key);
    if (a !== b) out.push(`${key}: ${left.name} ${word(a)}, ${right.name} ${word(b)}${raw?.get(key) ? ` [probe: ${raw.get(key)}]` : ''}`);
  }
  return out.sort();
}
