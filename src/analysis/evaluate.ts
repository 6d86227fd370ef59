// The connectivity evaluator: can one endpoint reach another on a port, and why.
// Upstream NetworkPolicy semantics: a pod is isolated for a direction only if a policy of that type
// selects it; then the union of the rules of every selecting policy decides. A pod-to-pod connection
// needs the source's egress and the destination's ingress to allow it. When the model carries
// cluster-scoped guardrails, each pod side goes through the engine's precedence around NetworkPolicy
// (src/analysis/guardrails/evaluate.ts) and the decision follows it.
import type { NetworkPolicyPeer, PolicyObject } from '../api/networkpolicy.js';
import {
  ipBlockAdmitsIp,
  isolates,
  policyNamespace,
  portsAdmit,
  rulesOf,
  selectorPeerAdmitsPod,
  type Direction,
} from './policy-rules.js';
import { formatIp } from './cidr.js';
import { describePod, policyKey, type ClusterModel, type Endpoint, type PodInfo, type Traffic } from './model.js';
import { guardSide, type GuardrailSide } from './guardrails/evaluate.js';
import { hasGuardrails } from './guardrails/objects.js';

/** A rule that allowed the traffic: `policy` is `namespace/name`, `ruleIndex` indexes ingress[] or egress[]. */
export interface RuleRef {
  policy: string;
  direction: Direction;
  ruleIndex: number;
  /** Index in the rule's from/to list of the first peer that matched; absent when the rule has no peers (all). */
  peerIndex?: number;
}

/** The verdict for one side of a connection (the source's egress or the destination's ingress). */
export type SideVerdict =
  /** This end is an address outside the cluster: no NetworkPolicy applies to it. */
  | { status: 'outside-cluster' }
  /** A hostNetwork pod: NetworkPolicy does not govern it. */
  | { status: 'host-network' }
  /** No policy of this direction selects the pod: everything is allowed. */
  | { status: 'not-isolated' }
  | { status: 'allowed'; isolatedBy: string[]; allowedBy: RuleRef[] }
  /** Isolated, and no rule of any isolating policy matches. `caveats` explain near misses. */
  | { status: 'denied'; isolatedBy: string[]; caveats: string[] };

export interface ConnectionDecision {
  allowed: boolean;
  /** What Kubernetes NetworkPolicy alone says about each side. */
  egress: SideVerdict;
  ingress: SideVerdict;
  /** Source and destination are the same pod: implementations differ on loopback, upstream tests ignore it. */
  loopback: boolean;
  /**
   * Only when the model carries guardrails: each pod side through the engine's precedence (an external end
   * has none). `allowed` then follows these, not the NetworkPolicy verdicts.
   */
  guardrails?: { egress?: GuardrailSide; ingress?: GuardrailSide };
}

export function sidePermits(verdict: SideVerdict): boolean {
  return verdict.status !== 'denied';
}

/** Whether this side of the decision denies: by its guardrail verdict when there is one, else by NetworkPolicy. */
export function sideDenies(decision: ConnectionDecision, side: 'egress' | 'ingress'): boolean {
  const guarded = decision.guardrails?.[side];
  return guarded ? !guarded.allowed : !sidePermits(decision[side]);
}

/**
 * Evaluates one side. `subject` is the pod whose policies apply, `peer` the other end.
 * For Ingress the subject receives the traffic (named ports resolve on it); for Egress the peer does.
 */
export function evaluateSide(model: ClusterModel, subject: PodInfo, direction: Direction, peer: Endpoint, traffic: Traffic): SideVerdict {
  if (subject.hostNetwork) return { status: 'host-network' };
  const isolating = model.policies.filter((p) => isolates(p, subject, direction));
  if (isolating.length === 0) return { status: 'not-isolated' };
  const destination = direction === 'Ingress' ? subject : peer.kind === 'pod' ? peer.pod : undefined;
  const allowedBy: RuleRef[] = [];
  const caveats: string[] = [];
  for (const policy of isolating) {
    rulesOf(policy, direction).forEach((rule, ruleIndex) => {
      if (!portsAdmit(rule.ports, traffic, destination)) return;
      const ref: RuleRef = { policy: policyKey(policy), direction, ruleIndex };
      if (!rule.peers || rule.peers.length === 0) {
        allowedBy.push(ref);
        return;
      }
      const peerIndex = rule.peers.findIndex((p) => peerAdmits(model, policy, p, peer));
      if (peerIndex >= 0) {
        allowedBy.push({ ...ref, peerIndex });
        return;
      }
      if (peer.kind === 'pod') caveats.push(...ipBlockCaveats(policy, direction, ruleIndex, rule.peers, peer.pod));
    });
  }
  const isolatedBy = isolating.map(policyKey);
  return allowedBy.length > 0 ? { status: 'allowed', isolatedBy, allowedBy } : { status: 'denied', isolatedBy, caveats };
}

function peerAdmits(model: ClusterModel, policy: PolicyObject, peer: NetworkPolicyPeer, endpoint: Endpoint): boolean {
  if (endpoint.kind === 'ip') return peer.ipBlock !== undefined && peer.ipBlock !== null && ipBlockAdmitsIp(peer.ipBlock, endpoint.ip);
  if (peer.ipBlock && model.ipBlockMatchesPodIps === true && !endpoint.pod.hostNetwork) {
    const block = peer.ipBlock;
    return endpoint.pod.ips.some((ip) => ipBlockAdmitsIp(block, ip));
  }
  return selectorPeerAdmitsPod(model, policyNamespace(policy), peer, endpoint.pod);
}

/** Notes for ipBlocks that contain the pod's IP but were not counted (conservative treatment). */
function ipBlockCaveats(policy: PolicyObject, direction: Direction, ruleIndex: number, peers: NetworkPolicyPeer[], pod: PodInfo): string[] {
  const out: string[] = [];
  peers.forEach((peer, peerIndex) => {
    if (!peer.ipBlock) return;
    const ip = pod.ips.find((a) => ipBlockAdmitsIp(peer.ipBlock!, a));
    if (!ip) return;
    const where = `${policyKey(policy)} ${direction.toLowerCase()}[${ruleIndex}] peer[${peerIndex}] ipBlock ${peer.ipBlock.cidr}`;
    out.push(`${where} contains ${describePod(pod)}'s IP ${formatIp(ip)}; not counted (some engines, e.g. Cilium, do not match pod IPs with ipBlock)`);
  });
  return out;
}

/** Decides `from -> to` on `traffic`. Both ends external is not a cluster question: allowed, no policy applies. */
export function evaluateConnection(model: ClusterModel, from: Endpoint, to: Endpoint, traffic: Traffic): ConnectionDecision {
  const egress: SideVerdict = from.kind === 'pod' ? evaluateSide(model, from.pod, 'Egress', to, traffic) : { status: 'outside-cluster' };
  const ingress: SideVerdict = to.kind === 'pod' ? evaluateSide(model, to.pod, 'Ingress', from, traffic) : { status: 'outside-cluster' };
  const loopback = from.kind === 'pod' && to.kind === 'pod' && describePod(from.pod) === describePod(to.pod);
  const decision: ConnectionDecision = { allowed: sidePermits(egress) && sidePermits(ingress), egress, ingress, loopback };
  if (!hasGuardrails(model.guardrails)) return decision;
  const guards = model.guardrails;
  const guarded: NonNullable<ConnectionDecision['guardrails']> = {};
  if (from.kind === 'pod') guarded.egress = guardSide(model, guards, from.pod, 'Egress', to, traffic, egress);
  if (to.kind === 'pod') guarded.ingress = guardSide(model, guards, to.pod, 'Ingress', from, traffic, ingress);
  decision.guardrails = guarded;
  decision.allowed = !sideDenies(decision, 'egress') && !sideDenies(decision, 'ingress');
  return decision;
}

export function describeRuleRef(ref: RuleRef): string {
  const list = ref.direction === 'Ingress' ? 'ingress' : 'egress';
  const peer = ref.peerIndex === undefined ? ' (all peers)' : ` peer[${ref.peerIndex}]`;
  return `${ref.policy} ${list}[${ref.ruleIndex}]${peer}`;
}
