// Port lists of the compiler (NetworkPolicyPort, `undefined` = every port) in the shapes the guardrail
// backends want. Pure.
import type { NetworkPolicyPort } from '../../api/networkpolicy.js';
import { PROTOCOLS } from '../ports.js';

export type Protocol = (typeof PROTOCOLS)[number];

/** One protocol's ports: `undefined` = every port of that protocol; ranges are inclusive. */
export interface ProtocolPorts {
  protocol: Protocol;
  ranges?: [number, number][];
}

/**
 * Ports grouped by protocol in PROTOCOLS order (a whole protocol absorbs its ranges). `undefined` in,
 * `undefined` out (every port of every protocol). Named ports are not allowed here (checked before).
 */
export function byProtocol(ports: readonly NetworkPolicyPort[] | undefined): ProtocolPorts[] | undefined {
  if (ports === undefined) return undefined;
  const out: ProtocolPorts[] = [];
  for (const protocol of PROTOCOLS) {
    const mine = ports.filter((p) => (p.protocol ?? 'TCP') === protocol);
    if (mine.length === 0) continue;
    if (mine.some((p) => p.port === undefined)) out.push({ protocol });
    else out.push({ protocol, ranges: mine.map((p) => [p.port as number, p.endPort ?? (p.port as number)]) });
  }
  return out;
}

/** Splits a list into chunks of at most `size` (API limits such as ClusterNetworkPolicy's 25 items). */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
