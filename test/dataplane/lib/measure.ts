// Measuring connectivity on real packets: every source endpoint against every port of every other
// endpoint (pods as sources and destinations; external hosts as destinations, and as sources
// towards pods). A cell is allowed when the destination's responder answered.
import type { ProbeProtocol } from './endpoint.js';
import type { Endpoint } from './topology.js';

export interface Cell {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: ProbeProtocol;
}

export const cellKey = (c: { from: { id: string }; to: { id: string }; port: number; protocol: string }) => `${c.from.id} -> ${c.to.id} ${c.protocol}/${c.port}`;

export function matrixCells(endpoints: readonly Endpoint[]): Cell[] {
  const cells: Cell[] = [];
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (from === to || (from.kind === 'host' && to.kind === 'host')) continue;
      for (const p of to.ports) cells.push({ from, to, port: p.port, protocol: p.protocol });
    }
  }
  return cells;
}

export interface Measurement {
  /** cellKey -> allowed */
  allowed: Map<string, boolean>;
  /** cellKey -> the probe's raw result (open, refused, timeout, error) */
  raw: Map<string, string>;
  ms: number;
}

/** Probes every cell, `concurrency` at a time. TCP denials are REJECTs (fast); UDP ones time out. */
export async function measure(cells: readonly Cell[], { concurrency = 24, timeoutMs = 700 } = {}): Promise<Measurement> {
  const started = Date.now();
  const allowed = new Map<string, boolean>();
  const raw = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const cell = cells[next++]!;
      const r = await cell.from.process.probe(cell.to.ip, cell.port, cell.protocol, timeoutMs);
      allowed.set(cellKey(cell), r.result === 'open');
      raw.set(cellKey(cell), r.detail ? `${r.result} (${r.detail})` : r.result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cells.length) }, worker));
  return { allowed, raw, ms: Date.now() - started };
}
