// Calico guardrails: projectcalico.org/v3 GlobalNetworkPolicies in a Tier of their own. Calico's pitfalls
// (docs/guardrails.md#calico): a policy that selects an endpoint and matches no rule falls to its tier's
// defaultAction (Deny in the default tier), so our tier's defaultAction is Pass; `namespaceSelector:
// has(projectcalico.org/name) && ...` keeps host endpoints out; `types` is always set.
import type { LabelSelector as WireSelector, LabelSelectorRequirement, NetworkPolicyPort } from '../../api/networkpolicy.js';
import { parseCidr } from '../../api/cidr.js';
import type { CompiledProfile } from '../render.js';
import { ports as toPorts, selector } from '../builders.js';
import { CALICO_NAMESPACE_NAME_LABEL, NAMESPACE_NAME_LABEL } from '../labels.js';
import { guardrailMetadata, guardrailName, type GuardrailMetadata } from './backend.js';
import { byProtocol, type Protocol } from './ports.js';
import { andSelectors, requirements } from './selectors.js';

export const CALICO_API_VERSION = 'projectcalico.org/v3';
/** The one Tier every profile's guardrails live in. */
export const CALICO_TIER = 'segmentation-guardrails';
/** Before Calico's kube-admin (1,000) and default tiers: nothing a namespace admin writes comes first. */
export const CALICO_TIER_ORDER = 100;
/** Inside our tier: every exception (Pass) of every profile before every Deny, as for ClusterNetworkPolicy. */
export const CALICO_ORDERS = { exception: 100, deny: 110 } as const;

export interface CalicoTier {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'Tier';
  metadata: GuardrailMetadata;
  spec: { order: number; defaultAction?: 'Pass' | 'Deny' };
}
export interface CalicoRule {
  /** We write Deny and Pass; Allow and Log exist too (the evaluator reads them). */
  action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  protocol?: Protocol;
  destination: { nets: string[]; ports?: (number | string)[] };
}
export interface GlobalNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: 'GlobalNetworkPolicy';
  metadata: GuardrailMetadata;
  spec: { tier: typeof CALICO_TIER; order: number; namespaceSelector: string; selector: string; types: ('Ingress' | 'Egress')[]; egress: CalicoRule[] };
}
export type CalicoObject = CalicoTier | GlobalNetworkPolicy;

const quote = (value: string) => `"${value}"`;

/** A label selector in Calico's selector syntax (`all()` for the empty selector). */
export function calicoSelector(sel: WireSelector, rename: (key: string) => string = (k) => k): string {
  const terms = requirements(sel).map((r) => calicoTerm({ ...r, key: rename(r.key) }));
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}

function calicoTerm(r: LabelSelectorRequirement): string {
  const values = (r.values ?? []).map(quote);
  switch (r.operator) {
    case 'In':
      return values.length === 1 ? `${r.key} == ${values[0]}` : `${r.key} in {${values.join(', ')}}`;
    case 'NotIn':
      return `${r.key} not in {${values.join(', ')}}`;
    case 'Exists':
      return `has(${r.key})`;
    default:
      return `!has(${r.key})`;
  }
}

/** Namespaces as Calico selects them: workload namespaces only (never host endpoints), by their labels. */
export function calicoNamespaceSelector(sel: WireSelector): string {
  const rest = calicoSelector(sel, (k) => (k === NAMESPACE_NAME_LABEL ? CALICO_NAMESPACE_NAME_LABEL : k));
  return rest === 'all()' ? `has(${CALICO_NAMESPACE_NAME_LABEL})` : `has(${CALICO_NAMESPACE_NAME_LABEL}) && ${rest}`;
}

/** One rule per IP family and protocol (a Calico rule has one protocol; families are kept apart). */
function rules(action: 'Deny' | 'Pass', nets: readonly string[], ports: readonly NetworkPolicyPort[] | undefined): CalicoRule[] {
  const families = [nets.filter((n) => parseCidr(n)!.family === 4), nets.filter((n) => parseCidr(n)!.family === 6)].filter((f) => f.length > 0);
  const grouped = byProtocol(ports);
  return families.flatMap((family) => {
    if (grouped === undefined) return [{ action, destination: { nets: family } }];
    return grouped.map(({ protocol, ranges }) => {
      const destination: CalicoRule['destination'] = { nets: family };
      if (ranges) destination.ports = ranges.map(([lo, hi]) => (lo === hi ? lo : `${lo}:${hi}`));
      return { action, protocol, destination };
    });
  });
}

function gnp(profile: string, purpose: 'deny-metadata' | 'deny-node-ports' | 'allow-metadata', index: number | undefined, description: string, spec: Omit<GlobalNetworkPolicy['spec'], 'tier' | 'types'>): GlobalNetworkPolicy {
  // Calico 3.29-3.31 require `<tier>.<name>` for policies outside the default tier; later ones accept it.
  const name = `${CALICO_TIER}.${guardrailName(profile, purpose, index)}`;
  return { apiVersion: CALICO_API_VERSION, kind: 'GlobalNetworkPolicy', metadata: guardrailMetadata(name, profile, purpose, description), spec: { tier: CALICO_TIER, order: spec.order, namespaceSelector: spec.namespaceSelector, selector: spec.selector, types: ['Egress'], egress: spec.egress } };
}

/** The shared Tier (no profile label: every profile with the Calico backend needs it). */
export function calicoTier(): CalicoTier {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: 'Tier',
    metadata: guardrailMetadata(CALICO_TIER, undefined, 'guardrail-tier', 'The tier of the segmentation guardrails; defaultAction Pass hands every flow no guardrail decides on to the next tier.'),
    spec: { order: CALICO_TIER_ORDER, defaultAction: 'Pass' },
  };
}

/** A profile's GlobalNetworkPolicies (the Tier comes from calicoTier(), once for all profiles). */
export function calicoGuardrails(compiled: CompiledProfile): GlobalNetworkPolicy[] {
  const { profile, targetedNamespaces } = compiled;
  const spec = profile.spec;
  const name = profile.metadata.name;
  const namespaces = calicoNamespaceSelector(targetedNamespaces);
  const out: GlobalNetworkPolicy[] = [];

  if (spec.instanceMetadata.deny) {
    const nets = spec.instanceMetadata.cidrs.map((c) => parseCidr(c)!.text);
    out.push(gnp(name, 'deny-metadata', undefined, `No pod in the namespaces profile ${name} targets may reach the instance-metadata endpoint(s) ${nets.join(', ')}, whatever later tiers allow.`, { order: CALICO_ORDERS.deny, namespaceSelector: namespaces, selector: 'all()', egress: rules('Deny', nets, undefined) }));
    (spec.instanceMetadata.allowFrom ?? []).forEach((entry, i) => {
      out.push(
        gnp(name, 'allow-metadata', i, `Metadata exception ${i} of profile ${name}: these pods' metadata traffic passes on to the next tier (their NetworkPolicies allow it).`, {
          order: CALICO_ORDERS.exception,
          namespaceSelector: calicoNamespaceSelector(andSelectors(targetedNamespaces, selector(entry.namespaceSelector ?? {}))),
          selector: calicoSelector(selector(entry.podSelector)),
          egress: rules('Pass', nets, toPorts(entry.ports)),
        }),
      );
    });
  }
  if (compiled.nodeGuard) {
    const nets = compiled.nodeGuard.cidrs.map((c) => c.text);
    out.push(gnp(name, 'deny-node-ports', undefined, `No pod in the namespaces profile ${name} targets may reach the nodes (${nets.join(', ')}) on the denied ports.`, { order: CALICO_ORDERS.deny, namespaceSelector: namespaces, selector: 'all()', egress: rules('Deny', nets, compiled.nodeGuard.denyPorts) }));
  }
  return out;
}
