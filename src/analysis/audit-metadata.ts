// Metadata-exposure audit: per namespace, can some pod reach a cloud instance-metadata endpoint,
// and which NetworkPolicies (ours or anyone's) open it. The operator's own `allow-metadata` policies
// (spec.instanceMetadata.allowFrom) are intended exceptions: listed apart, never counted as exposure.
// Pure; the CLI prints it and the operator turns it into a condition and an Event.
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { NetworkPolicyPort, PolicyObject } from '../api/networkpolicy.js';
import { formatCidr, parseCidr, type CidrRange } from './cidr.js';
import { buildClusterModel, describePod, policyKey, type PodInfo } from './model.js';
import { effectivePolicyTypes, ipBlockAdmitsSomeOf, isolates, policyNamespace, rulesOf } from './policy-rules.js';
import { formatSelector, selectsEverything } from '../compile/select.js';
import { DEFAULT_METADATA_CIDRS } from '../api/profile.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PURPOSE_LABEL } from '../compile/labels.js';

/**
 * Every metadata endpoint the audit knows: the profile's default (AWS/Azure/GCP IPv4, AWS IPv6) and Alibaba
 * Cloud, which a profile blocks only when its spec.instanceMetadata.cidrs lists it. Not 169.254.0.0/16:
 * NodeLocal DNSCache lives there.
 */
export const KNOWN_METADATA_CIDRS: readonly string[] = [...DEFAULT_METADATA_CIDRS, '100.100.100.200/32'];

/** One egress rule that admits (part of) a metadata CIDR. */
export interface MetadataOpening {
  /** `namespace/name` of the policy. */
  policy: string;
  /** Index into the policy's `egress` list. */
  ruleIndex: number;
  /** The metadata CIDR it opens. */
  cidr: string;
  /** How: `all destinations (rule has no "to")` or `ipBlock 0.0.0.0/0 (to[2])`. */
  via: string;
  /** `all ports` or e.g. `80/TCP, 443/TCP`. */
  ports: string;
  /** The policy's podSelector, e.g. `app=web` or `(all)`. */
  podSelector: string;
  /** Only when pods were given: the existing pods this rule applies to (may be empty: latent). */
  pods?: string[];
}

export interface UnisolatedPods {
  /** `no-egress-policy`: nothing in the namespace restricts egress; `not-selected`: some pods escape every egress policy. */
  reason: 'no-egress-policy' | 'not-selected';
  /** Only when pods were given: the pods (hostNetwork pods are marked). */
  pods?: string[];
  detail: string;
}

export interface NamespaceMetadataExposure {
  namespace: string;
  /** Some pod (an existing one, when pods were given) can reach a metadata CIDR unintentionally. */
  exposed: boolean;
  /** Unintended openings: every egress rule that admits a metadata CIDR, except the intended ones. */
  openedBy: MetadataOpening[];
  /**
   * Intended exceptions: rules of the operator's `allow-metadata` policies (labels
   * segmentation.dev/purpose=allow-metadata and app.kubernetes.io/managed-by=segmentation-operator).
   * Present only when there is one; they never make the namespace exposed.
   */
  exceptions?: MetadataOpening[];
  unisolated?: UnisolatedPods;
}

export interface MetadataExposureReport {
  metadataCidrs: string[];
  /** True when any namespace is exposed. */
  exposed: boolean;
  namespaces: NamespaceMetadataExposure[];
}

export interface MetadataAuditOptions {
  /** Defaults to KNOWN_METADATA_CIDRS. Invalid entries throw. */
  metadataCidrs?: readonly string[];
}

/**
 * Audits every namespace named in `namespaces` (or holding a policy or pod). Without `pods`, the
 * answer is about any pod that could run there: a namespace is exposed when some egress rule
 * opens a metadata CIDR, or when no egress policy selects all pods (`podSelector: {}`), so that
 * some pod may be unisolated. With `pods`, only existing pods count (exact).
 */
export function auditMetadataExposure(
  policies: readonly PolicyObject[],
  namespaces: readonly V1Namespace[],
  pods?: readonly V1Pod[],
  options: MetadataAuditOptions = {},
): MetadataExposureReport {
  const cidrs = (options.metadataCidrs ?? KNOWN_METADATA_CIDRS).map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`invalid metadata CIDR ${JSON.stringify(text)}`);
    return cidr;
  });
  const model = buildClusterModel({ policies, namespaces, ...(pods ? { pods } : {}) });
  const names = [...model.namespaces.keys()].sort();
  const report = names.map((ns) => auditNamespace(ns, policies.filter((p) => policyNamespace(p) === ns), cidrs, pods ? model.pods.filter((p) => p.namespace === ns) : undefined));
  return { metadataCidrs: cidrs.map(formatCidr), exposed: report.some((n) => n.exposed), namespaces: report };
}

/** A policy the operator emitted for spec.instanceMetadata.allowFrom: an intended exception. */
export function isIntendedException(policy: PolicyObject): boolean {
  const labels = policy.metadata?.labels;
  return labels?.[PURPOSE_LABEL] === 'allow-metadata' && labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

function auditNamespace(namespace: string, policies: PolicyObject[], cidrs: CidrRange[], pods: PodInfo[] | undefined): NamespaceMetadataExposure {
  const egressPolicies = policies.filter((p) => effectivePolicyTypes(p).includes('Egress'));
  const openedBy = egressPolicies.filter((p) => !isIntendedException(p)).flatMap((policy) => openingsOf(policy, cidrs, pods));
  const exceptions = egressPolicies.filter(isIntendedException).flatMap((policy) => openingsOf(policy, cidrs, pods));
  const unisolated = unisolatedPods(egressPolicies, pods);
  const exposed = (pods ? openedBy.some((o) => (o.pods?.length ?? 0) > 0) : openedBy.length > 0) || unisolated !== undefined;
  return { namespace, exposed, openedBy, ...(exceptions.length > 0 ? { exceptions } : {}), ...(unisolated ? { unisolated } : {}) };
}

function openingsOf(policy: PolicyObject, cidrs: CidrRange[], pods: PodInfo[] | undefined): MetadataOpening[] {
  const selected = pods?.filter((p) => !p.hostNetwork && isolates(policy, p, 'Egress')).map(describePod);
  const out: MetadataOpening[] = [];
  rulesOf(policy, 'Egress').forEach((rule, ruleIndex) => {
    for (const cidr of cidrs) {
      let via: string | undefined;
      if (!rule.peers || rule.peers.length === 0) via = 'all destinations (rule has no "to")';
      else {
        const index = rule.peers.findIndex((peer) => peer.ipBlock && ipBlockAdmitsSomeOf(peer.ipBlock, cidr));
        if (index >= 0) via = `ipBlock ${rule.peers[index]!.ipBlock!.cidr} (to[${index}])`;
      }
      if (!via) continue;
      out.push({
        policy: policyKey(policy),
        ruleIndex,
        cidr: formatCidr(cidr),
        via,
        ports: describePorts(rule.ports),
        podSelector: formatSelector(policy.spec?.podSelector ?? {}),
        ...(selected ? { pods: selected } : {}),
      });
    }
  });
  return out;
}

function unisolatedPods(egressPolicies: PolicyObject[], pods: PodInfo[] | undefined): UnisolatedPods | undefined {
  const reason = egressPolicies.length === 0 ? 'no-egress-policy' : 'not-selected';
  if (pods) {
    const open = pods.filter((pod) => pod.hostNetwork || !egressPolicies.some((p) => isolates(p, pod, 'Egress')));
    if (open.length === 0) return undefined;
    const names = open.map((p) => (p.hostNetwork ? `${describePod(p)} (hostNetwork)` : describePod(p)));
    const detail = reason === 'no-egress-policy' ? 'no NetworkPolicy restricts egress in this namespace' : 'these pods are selected by no egress policy';
    return { reason, pods: names, detail };
  }
  if (egressPolicies.some((p) => selectsEverything(p.spec?.podSelector ?? {}))) return undefined;
  if (reason === 'no-egress-policy') return { reason, detail: 'no NetworkPolicy restricts egress in this namespace' };
  const selectors = egressPolicies.map((p) => formatSelector(p.spec?.podSelector ?? {})).join('; ');
  return { reason, detail: `no egress policy selects every pod (podSelector: {}); pods outside ${selectors} are unrestricted` };
}

function describePorts(ports: NetworkPolicyPort[] | undefined): string {
  if (!ports || ports.length === 0) return 'all ports';
  return ports
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      if (p.port === undefined || p.port === null) return `all/${protocol}`;
      return p.endPort ? `${p.port}-${p.endPort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(', ');
}
