// `explain`: one connection's decision, with the policies and rules that make it, as text or JSON. With
// guardrails in the model, a side that a guardrail decided names the guardrail object and rule.
import { describeRuleRef, evaluateConnection, type ConnectionDecision, type RuleRef, type SideVerdict } from './evaluate.js';
import { decidedByGuardrail, type GuardrailSide } from './guardrails/evaluate.js';
import { describeEndpoint, policyKey, type ClusterModel, type Endpoint, type Traffic } from './model.js';
import type { NetworkPolicyPeer, NetworkPolicyPort } from '../api/networkpolicy.js';
import { rulesOf } from './policy-rules.js';
import { formatSelector } from '../compile/select.js';

export interface Explanation {
  from: string;
  to: string;
  traffic: Traffic;
  allowed: boolean;
  /** What Kubernetes NetworkPolicy alone says about each side. */
  egress: SideVerdict;
  ingress: SideVerdict;
  /** Only when guardrails were given: each pod side through the engine's precedence (ConnectionDecision). */
  guardrails?: ConnectionDecision['guardrails'];
  /** Each allowing NetworkPolicy rule, as written: `x/web ingress[1]: from [pods pod=b] on [80/TCP]`. */
  rules: string[];
  notes: string[];
}

export function explainConnection(model: ClusterModel, from: Endpoint, to: Endpoint, traffic: Traffic, notes: readonly string[] = []): Explanation {
  const decision = evaluateConnection(model, from, to, traffic);
  const refs = [decision.egress, decision.ingress].flatMap((v) => (v.status === 'allowed' ? v.allowedBy : []));
  const allNotes = [...notes];
  if (decision.loopback) allNotes.push('source and destination are the same pod: implementations differ on loopback (the upstream e2e suite ignores it)');
  for (const v of [decision.egress, decision.ingress]) if (v.status === 'denied') allNotes.push(...v.caveats);
  return {
    from: describeEndpoint(from),
    to: describeEndpoint(to),
    traffic,
    allowed: decision.allowed,
    egress: decision.egress,
    ingress: decision.ingress,
    ...(decision.guardrails ? { guardrails: decision.guardrails } : {}),
    rules: refs.map((r) => `${describeRuleRef(r)}: ${describeRule(model, r)}`),
    notes: allNotes,
  };
}

function describeRule(model: ClusterModel, ref: RuleRef): string {
  const policy = model.policies.find((p) => policyKey(p) === ref.policy);
  const rule = policy ? rulesOf(policy, ref.direction)[ref.ruleIndex] : undefined;
  if (!rule) return '(rule not found)';
  const word = ref.direction === 'Ingress' ? 'from' : 'to';
  const peers = !rule.peers || rule.peers.length === 0 ? 'anywhere' : rule.peers.map(describePeer).join(' or ');
  return `${word} ${peers} on ${describePorts(rule.ports)}`;
}

export function describePeer(peer: NetworkPolicyPeer): string {
  if (peer.ipBlock) return `[ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : ''}]`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaces ${formatSelector(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`pods ${formatSelector(peer.podSelector)}`);
  return `[${parts.join(' AND ') || 'nothing'}]`;
}

function describePorts(ports: NetworkPolicyPort[] | undefined): string {
  if (!ports || ports.length === 0) return 'all ports';
  return ports.map((p) => `${p.port ?? 'all'}${p.endPort ? `-${p.endPort}` : ''}/${p.protocol ?? 'TCP'}`).join(', ');
}

function describeVerdict(v: SideVerdict): string {
  switch (v.status) {
    case 'outside-cluster':
      return 'n/a: outside the cluster, no NetworkPolicy applies';
    case 'host-network':
      return 'allowed: hostNetwork pod, NetworkPolicy does not apply';
    case 'not-isolated':
      return 'allowed: not isolated (no policy of this direction selects the pod)';
    case 'allowed':
      return `allowed by ${v.allowedBy.map(describeRuleRef).join(', ')} (isolated by ${v.isolatedBy.join(', ')})`;
    case 'denied':
      return `DENIED: isolated by ${v.isolatedBy.join(', ')}; no rule of these policies matches`;
  }
}

/**
 * One side: the NetworkPolicy verdict, or the guardrail that decided instead of it, e.g.
 * `DENIED by guardrail CiliumClusterwideNetworkPolicy seg.p.deny-metadata egressDeny[0] (NetworkPolicy alone: allowed by ...)`.
 */
function describeSide(networkPolicy: SideVerdict, guarded: GuardrailSide | undefined): string {
  if (!guarded || !decidedByGuardrail(guarded)) return describeVerdict(networkPolicy);
  return `${guarded.allowed ? 'allowed' : 'DENIED'} by guardrail ${guarded.by} (NetworkPolicy alone: ${describeVerdict(networkPolicy)})`;
}

/** Human-readable explanation, several lines, ending with a newline. */
export function formatExplanation(e: Explanation): string {
  const lines = [
    `${e.from} -> ${e.to} on ${e.traffic.protocol}/${e.traffic.port}: ${e.allowed ? 'ALLOWED' : 'DENIED'}`,
    `  egress from ${e.from}: ${describeSide(e.egress, e.guardrails?.egress)}`,
    `  ingress to ${e.to}: ${describeSide(e.ingress, e.guardrails?.ingress)}`,
    ...e.rules.map((r) => `  rule ${r}`),
    ...e.notes.map((n) => `  note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One line, for matrix tooltips: `egress: ...; ingress: ...`. */
export function summarizeDecision(d: ConnectionDecision): string {
  return `egress: ${describeSide(d.egress, d.guardrails?.egress)}; ingress: ${describeSide(d.ingress, d.guardrails?.ingress)}`;
}
