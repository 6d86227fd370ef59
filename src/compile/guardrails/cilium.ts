// Cilium guardrails: CiliumClusterwideNetworkPolicy (cilium.io/v2) `egressDeny`, which beats every allow,
// Kubernetes NetworkPolicies included. Two Cilium facts shape it (docs/guardrails.md#cilium):
// - a deny-only policy without `enableDefaultDeny: {egress: false, ingress: false}` puts every selected pod
//   into default deny (Cilium >= 1.16), so it is always set;
// - CIDR rules never match node addresses: nodes are the entities `host` and `remote-node`.
// Cilium has no Pass: a metadata exception's pods are left out of the deny by negating their selectors.
import type { LabelSelector as WireSelector, LabelSelectorRequirement, NetworkPolicyPort } from '../../api/networkpolicy.js';
import { parseCidr } from '../../api/cidr.js';
import type { CompiledProfile } from '../render.js';
import { ports as toPorts, selector } from '../builders.js';
import { CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX, NAMESPACE_NAME_LABEL } from '../labels.js';
import { portsMinus } from '../ports.js';
import { guardrailMetadata, guardrailName, type GuardrailMetadata } from './backend.js';
import { negatedUnion, requirements } from './selectors.js';
import { GuardrailError } from './errors.js';

export const CILIUM_API_VERSION = 'cilium.io/v2';
export const CCNP_KIND = 'CiliumClusterwideNetworkPolicy';
/** Most deny policies one profile's metadata exceptions may expand to (see negatedUnion). */
export const MAX_CILIUM_METADATA_POLICIES = 16;

export interface CiliumPortRule {
  ports: { port: string; endPort?: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}
export interface CiliumEgressDenyRule {
  toCIDR?: string[];
  toEntities?: ('host' | 'remote-node')[];
  toPorts?: CiliumPortRule[];
}
export interface CiliumClusterwideNetworkPolicy {
  apiVersion: typeof CILIUM_API_VERSION;
  kind: typeof CCNP_KIND;
  metadata: GuardrailMetadata;
  spec: {
    endpointSelector: { matchExpressions?: LabelSelectorRequirement[] };
    enableDefaultDeny: { egress: false; ingress: false };
    egressDeny: CiliumEgressDenyRule[];
  };
}

/** A namespace selector's requirements as requirements on pods' Cilium namespace labels. */
export function ciliumNamespaceRequirements(sel: WireSelector): LabelSelectorRequirement[] {
  return requirements(sel).map((r) => ({ ...r, key: r.key === NAMESPACE_NAME_LABEL ? CILIUM_NAMESPACE_LABEL : `${CILIUM_NAMESPACE_LABELS_PREFIX}${r.key}` }));
}

/** Ports as Cilium wants them: a string port, `0` for every port of a protocol. */
export function ciliumPorts(list: readonly NetworkPolicyPort[]): CiliumPortRule['ports'] {
  return list.map((p) => {
    const protocol = (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP';
    if (p.port === undefined) return { port: '0', protocol };
    return p.endPort !== undefined && p.endPort !== p.port ? { port: String(p.port), endPort: p.endPort, protocol } : { port: String(p.port), protocol };
  });
}

function ccnp(name: string, profile: string, purpose: 'deny-metadata' | 'deny-node-ports', description: string, match: LabelSelectorRequirement[], egressDeny: CiliumEgressDenyRule[]): CiliumClusterwideNetworkPolicy {
  return {
    apiVersion: CILIUM_API_VERSION,
    kind: CCNP_KIND,
    metadata: guardrailMetadata(name, profile, purpose, description),
    spec: { endpointSelector: match.length > 0 ? { matchExpressions: match } : {}, enableDefaultDeny: { egress: false, ingress: false }, egressDeny },
  };
}

export function ciliumGuardrails(compiled: CompiledProfile): CiliumClusterwideNetworkPolicy[] {
  const { profile } = compiled;
  const spec = profile.spec;
  const name = profile.metadata.name;
  const targeted = ciliumNamespaceRequirements(compiled.targetedNamespaces);
  const out: CiliumClusterwideNetworkPolicy[] = [];

  if (spec.instanceMetadata.deny) {
    const metadataCidrs = spec.instanceMetadata.cidrs.map((c) => parseCidr(c)!.text);
    const entries = (spec.instanceMetadata.allowFrom ?? []).map((e) => ({
      match: [...requirements(selector(e.podSelector)), ...ciliumNamespaceRequirements(selector(e.namespaceSelector ?? {}))],
      ports: toPorts(e.ports),
    }));
    const others = negatedUnion(
      entries.map((e) => e.match),
      MAX_CILIUM_METADATA_POLICIES,
    );
    if (others === undefined)
      throw new GuardrailError(
        'spec.instanceMetadata.allowFrom',
        `the Cilium backend leaves exception pods out of the deny by negating their selectors, and these ${entries.length} entries need more than ${MAX_CILIUM_METADATA_POLICIES} policies: use fewer labels per entry or fewer entries`,
      );
    const subjects: { match: LabelSelectorRequirement[]; rule: CiliumEgressDenyRule; about: string }[] = others.map((negated) => ({
      match: [...targeted, ...negated],
      rule: { toCIDR: metadataCidrs },
      about: entries.length > 0 ? 'the pods that no metadata exception selects' : 'every pod',
    }));
    // An exception limited to some ports: its pods are still denied the other ports.
    entries.forEach((e, i) => {
      if (e.ports === undefined) return;
      const closed = portsMinus(undefined, e.ports);
      if (closed.length === 0) return;
      subjects.push({ match: [...targeted, ...e.match], rule: { toCIDR: metadataCidrs, toPorts: [{ ports: ciliumPorts(closed) }] }, about: `the pods of metadata exception ${i} on the ports it does not list` });
    });
    subjects.forEach((s, k) => {
      const policyName = subjects.length === 1 ? guardrailName(name, 'deny-metadata') : guardrailName(name, 'deny-metadata', k);
      out.push(ccnp(policyName, name, 'deny-metadata', `egressDeny: ${s.about} in the namespaces profile ${name} targets may not reach the instance-metadata endpoint(s) ${metadataCidrs.join(', ')}; no allow can reopen it.`, s.match, [s.rule]));
    });
  }

  if (compiled.nodeGuard) {
    out.push(
      ccnp(
        guardrailName(name, 'deny-node-ports'),
        name,
        'deny-node-ports',
        `egressDeny: no pod in the namespaces profile ${name} targets may reach a node (the host and remote-node entities: Cilium's CIDR rules never match node addresses) on the denied ports.`,
        targeted,
        [{ toEntities: ['host', 'remote-node'], toPorts: [{ ports: ciliumPorts(compiled.nodeGuard.denyPorts) }] }],
      ),
    );
  }
  return out;
}
