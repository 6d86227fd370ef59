// Blocking pod access to node ports (SSH) inside the ipBlock allows the compiler emits. A NetworkPolicy
// cannot deny, so every egress ipBlock that covers part of a node range on a denied port is split: the
// node range leaves the block (as an except) and comes back in a rule of its own on every other port.
import type { Cidr } from '../api/cidr.js';
import { cidrContains, parseCidr } from '../api/cidr.js';
import type { IPBlock, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort } from '../api/networkpolicy.js';
import { portsMinus, portsOverlap } from './ports.js';

export interface NodeAccessGuard {
  /** Node ranges, none inside another. */
  cidrs: Cidr[];
  denyPorts: NetworkPolicyPort[];
}

/** Drops node ranges that lie inside another one (they add nothing and would nest excepts). */
export function normaliseNodeCidrs(texts: readonly string[]): Cidr[] {
  const all = texts.map((t) => parseCidr(t)!);
  const unique = [...new Map(all.map((c) => [c.text, c])).values()];
  return unique.filter((c) => !unique.some((o) => o !== c && cidrContains(o, c)));
}

interface BlockSplit {
  /** What stays in the original rule (undefined when the whole block lies in node ranges). */
  rest?: IPBlock;
  /** Node-range parts that go to the rule with the denied ports removed. */
  nodeParts: IPBlock[];
}

function splitBlock(block: IPBlock, nodes: readonly Cidr[]): BlockSplit {
  const cidr = parseCidr(block.cidr)!;
  let except = (block.except ?? []).map((e) => parseCidr(e)!);
  const nodeParts: IPBlock[] = [];
  for (const node of nodes) {
    if (node.family !== cidr.family) continue;
    if (except.some((e) => cidrContains(e, node))) continue; // already kept out
    if (cidrContains(node, cidr)) return { nodeParts: [block] }; // the whole block is node addresses
    if (!cidrContains(cidr, node)) continue; // disjoint (CIDRs nest or are disjoint)
    const inside = except.filter((e) => cidrContains(node, e));
    nodeParts.push(inside.length > 0 ? { cidr: node.text, except: inside.map((e) => e.text) } : { cidr: node.text });
    except = [...except.filter((e) => !cidrContains(node, e)), node];
  }
  if (nodeParts.length === 0) return { rest: block, nodeParts };
  return { rest: { cidr: block.cidr, except: except.map((e) => e.text) }, nodeParts };
}

/** One emitted egress rule -> the same rule without node ranges on denied ports (one or two rules). */
export function guardNodeAccess(rule: NetworkPolicyEgressRule, guard: NodeAccessGuard): NetworkPolicyEgressRule[] {
  if (guard.cidrs.length === 0 || !rule.to || !portsOverlap(rule.ports, guard.denyPorts)) return [rule];
  const kept: NetworkPolicyPeer[] = [];
  const nodePeers: NetworkPolicyPeer[] = [];
  for (const peer of rule.to) {
    if (!peer.ipBlock) {
      kept.push(peer);
      continue;
    }
    const { rest, nodeParts } = splitBlock(peer.ipBlock, guard.cidrs);
    if (rest) kept.push({ ipBlock: rest });
    for (const ipBlock of nodeParts) nodePeers.push({ ipBlock });
  }
  if (nodePeers.length === 0) return [rule];
  const out: NetworkPolicyEgressRule[] = [];
  // An empty `to` would mean "every destination": a rule whose peers all moved is dropped instead.
  if (kept.length > 0) out.push(rule.ports ? { to: kept, ports: rule.ports } : { to: kept });
  const open = portsMinus(rule.ports, guard.denyPorts);
  if (open.length > 0) out.push({ to: nodePeers, ports: open });
  return out;
}
