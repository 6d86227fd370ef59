// Port-set arithmetic for NetworkPolicy port lists. `undefined` means "every port of every protocol", as
// an omitted `ports` does in a rule. Named ports are kept apart: they resolve on pods only.
import type { NetworkPolicyPort } from '../api/networkpolicy.js';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
type Protocol = (typeof PROTOCOLS)[number];
type Range = [number, number];

const MIN_PORT = 1;
const MAX_PORT = 65535;

/** Numeric ranges per protocol, merged and sorted; named ports are ignored. */
function toRanges(ports: readonly NetworkPolicyPort[] | undefined): Map<Protocol, Range[]> {
  const out = new Map<Protocol, Range[]>();
  const add = (protocol: Protocol, range: Range) => out.set(protocol, [...(out.get(protocol) ?? []), range]);
  if (ports === undefined) for (const p of PROTOCOLS) add(p, [MIN_PORT, MAX_PORT]);
  for (const p of ports ?? []) {
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    if (p.port === undefined) add(protocol, [MIN_PORT, MAX_PORT]);
    else if (typeof p.port === 'number') add(protocol, [p.port, p.endPort ?? p.port]);
  }
  for (const [protocol, ranges] of out) out.set(protocol, merge(ranges));
  return out;
}

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function subtract(ranges: Range[], minus: Range[]): Range[] {
  let rest = ranges;
  for (const [lo, hi] of minus) {
    rest = rest.flatMap(([a, b]): Range[] => {
      if (hi < a || lo > b) return [[a, b]];
      const parts: Range[] = [];
      if (a < lo) parts.push([a, lo - 1]);
      if (hi < b) parts.push([hi + 1, b]);
      return parts;
    });
  }
  return rest;
}

/** True when some (protocol, numeric port) is in both lists. */
export function portsOverlap(a: readonly NetworkPolicyPort[] | undefined, b: readonly NetworkPolicyPort[] | undefined): boolean {
  const ra = toRanges(a);
  const rb = toRanges(b);
  for (const [protocol, ranges] of ra) {
    const other = rb.get(protocol) ?? [];
    if (ranges.some(([a1, a2]) => other.some(([b1, b2]) => a1 <= b2 && b1 <= a2))) return true;
  }
  return false;
}

/**
 * The numeric ports of `ports` without those of `minus`, as NetworkPolicy ports in a canonical order
 * (protocol as in PROTOCOLS, then port). A whole protocol stays `{protocol}`. Named ports are dropped.
 */
export function portsMinus(ports: readonly NetworkPolicyPort[] | undefined, minus: readonly NetworkPolicyPort[]): NetworkPolicyPort[] {
  const have = toRanges(ports);
  const drop = toRanges(minus);
  const out: NetworkPolicyPort[] = [];
  for (const protocol of PROTOCOLS) {
    for (const [lo, hi] of subtract(have.get(protocol) ?? [], drop.get(protocol) ?? [])) {
      if (lo === MIN_PORT && hi === MAX_PORT) out.push({ protocol });
      else if (lo === hi) out.push({ protocol, port: lo });
      else out.push({ protocol, port: lo, endPort: hi });
    }
  }
  return out;
}
