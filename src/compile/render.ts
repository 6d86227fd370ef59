// The compiler: (profile, namespace) -> the exact NetworkPolicies that namespace needs. Pure and
// deterministic: the same input gives byte-identical output. docs/policies.md explains every policy.
import type { Cidr } from '../api/cidr.js';
import { parseCidr } from '../api/cidr.js';
import type { IPBlock, LabelSelector as WireSelector, NetworkPolicy, NetworkPolicyPeer } from '../api/networkpolicy.js';
import type { AllowRule, LabelSelector, SegmentationProfile } from '../api/profile.js';
import { SYSTEM_NAMESPACES } from '../api/profile.js';
import type { PolicyContext } from './builders.js';
import { allowEgress, allowIngress, denyAll, denyMetadata, dnsEgress, dnsServer, ports, selector } from './builders.js';
import { allAddressesExcept, guardedIpBlock, MetadataOverlapError } from './ipblocks.js';
import { IGNORE_LABEL, NAMESPACE_NAME_LABEL } from './labels.js';
import type { NamespaceInfo } from './select.js';
import { profileSelectsNamespace, selectorMatches } from './select.js';

export type { NamespaceInfo } from './select.js';

/** A profile checked beyond its schema, with what every namespace shares precomputed. */
export interface CompiledProfile {
  profile: SegmentationProfile;
  /** Metadata CIDRs to keep out of every ipBlock (empty when spec.instanceMetadata.deny is false). */
  blockedMetadata: Cidr[];
  /** `0.0.0.0/0` and `::/0` minus the metadata CIDRs. */
  allExceptMetadata: IPBlock[];
  nodeLocalDns: IPBlock[];
  /** Per allow rule, its ipBlock destination already guarded (undefined for pod destinations). */
  ruleIpBlocks: (IPBlock | undefined)[];
  /** "The namespaces this profile targets" as a namespace selector, for cross-namespace peers. */
  targetedNamespaces: WireSelector;
}

export type CompileResult = { ok: true; compiled: CompiledProfile } | { ok: false; errors: string[] };

/** A profile that passed the schema but cannot be compiled; it must affect no namespace. */
export class CompileError extends Error {
  constructor(
    readonly profile: string,
    readonly errors: string[],
  ) {
    super(`profile ${profile}: ${errors.join('; ')}`);
    this.name = 'CompileError';
  }
}

/**
 * Everything a profile means that cannot depend on the namespace, checked once. Errors name the field.
 */
export function compileProfile(profile: SegmentationProfile): CompileResult {
  const spec = profile.spec;
  const errors: string[] = [];
  const blockedMetadata = spec.instanceMetadata.deny ? spec.instanceMetadata.cidrs.map((c) => parseCidr(c)!) : [];
  const guard = (path: string, cidr: string, except: readonly string[] = []): IPBlock | undefined => {
    try {
      return guardedIpBlock(cidr, except, blockedMetadata);
    } catch (err) {
      if (!(err instanceof MetadataOverlapError)) throw err;
      errors.push(`${path}: ${err.message}`);
      return undefined;
    }
  };
  const nodeLocalDns = (spec.dns.nodeLocalCIDRs ?? []).flatMap((cidr, i) => guard(`spec.dns.nodeLocalCIDRs[${i}]`, cidr) ?? []);
  const ruleIpBlocks = spec.allow.map((rule, i) => (rule.to.ipBlock ? guard(`spec.allow[${i}].to.ipBlock.cidr`, rule.to.ipBlock.cidr, rule.to.ipBlock.except) : undefined));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    compiled: {
      profile,
      blockedMetadata,
      allExceptMetadata: allAddressesExcept(blockedMetadata),
      nodeLocalDns,
      ruleIpBlocks,
      targetedNamespaces: targetedNamespacesSelector(profile),
    },
  };
}

/**
 * The profile's own namespace selector narrowed by what the compiler can express as labels: the opt-out
 * label, system namespaces and exact-name excludes. Glob excludes cannot be expressed as a selector
 * (documented in docs/policies.md).
 */
function targetedNamespacesSelector(profile: SegmentationProfile): WireSelector {
  const spec = profile.spec;
  const base = selector(spec.namespaceSelector ?? {});
  const excludedNames = new Set<string>((spec.excludeNamespaces ?? []).filter((g) => !/[*?]/.test(g)));
  if (!spec.includeSystemNamespaces) for (const ns of SYSTEM_NAMESPACES) excludedNames.add(ns);
  const expressions = [...(base.matchExpressions ?? []), { key: IGNORE_LABEL, operator: 'NotIn', values: ['true'] }];
  if (excludedNames.size > 0) expressions.push({ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...excludedNames].sort() });
  return { ...base, matchExpressions: expressions };
}

function isLocalTo(peer: { namespaceSelector?: LabelSelector | undefined }, ns: NamespaceInfo): boolean {
  // A peer without namespaceSelector means "pods in each namespace the profile targets", so it is local
  // to every rendered namespace; with one, only to the namespaces that selector matches.
  return peer.namespaceSelector === undefined || selectorMatches(peer.namespaceSelector, withNameLabel(ns));
}

/** The API server sets kubernetes.io/metadata.name on every namespace; offline input may lack it. */
function withNameLabel(ns: NamespaceInfo): Record<string, string> {
  return { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name };
}

/**
 * How the policy on one side refers to the pods on the other side. Both sides without namespaceSelector:
 * the same namespace. The other side with one: those namespaces. This side with one and the other
 * without: the other side's pods live in every namespace the profile targets.
 */
function remotePeer(here: { namespaceSelector?: LabelSelector | undefined }, there: { podSelector: LabelSelector; namespaceSelector?: LabelSelector | undefined }, targeted: WireSelector): NetworkPolicyPeer {
  const podSelector = selector(there.podSelector);
  if (there.namespaceSelector !== undefined) return { namespaceSelector: selector(there.namespaceSelector), podSelector };
  if (here.namespaceSelector !== undefined) return { namespaceSelector: targeted, podSelector };
  return { podSelector };
}

/** `app=backend,tier in (a,b)`: a selector as kubectl prints it, for descriptions. */
export function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return parts.length === 0 ? 'all' : parts.join(',');
}

function describePods(peer: { podSelector?: LabelSelector | undefined; namespaceSelector?: LabelSelector | undefined }): string {
  const pods = `pods [${formatSelector(peer.podSelector ?? {})}]`;
  return peer.namespaceSelector ? `${pods} in namespaces [${formatSelector(peer.namespaceSelector)}]` : pods;
}

function describeRule(rule: AllowRule): string {
  const dest = rule.to.ipBlock ? rule.to.ipBlock.cidr : describePods(rule.to);
  const on = rule.ports && rule.ports.length > 0 ? ` on ${rule.ports.map((p) => `${p.protocol}/${p.port ?? 'any'}${p.endPort ? `-${p.endPort}` : ''}`).join(', ')}` : ' on any port';
  return `Allow rule "${rule.name}": ${describePods(rule.from)} to ${dest}${on}.${rule.description ? ` ${rule.description}` : ''}`;
}

/**
 * The NetworkPolicies one namespace needs from one compiled profile; empty when the profile does not
 * target the namespace. Sorted by name.
 */
export function renderNamespace(compiled: CompiledProfile, ns: NamespaceInfo): NetworkPolicy[] {
  const { profile } = compiled;
  if (!profileSelectsNamespace(profile, ns)) return [];
  const spec = profile.spec;
  const ctx: PolicyContext = { profile: profile.metadata.name, namespace: ns.name };
  const denyIngress = spec.defaultDeny.ingress;
  const denyEgress = spec.defaultDeny.egress;
  const out: NetworkPolicy[] = [];

  const denied = [...(denyIngress ? (['Ingress'] as const) : []), ...(denyEgress ? (['Egress'] as const) : [])];
  if (denied.length > 0) out.push(denyAll(ctx, [...denied]));

  // With egress denied, the default deny already blocks the metadata endpoint, and a separate
  // allow-all-but-metadata policy would reopen all other egress. Only when egress is open do we add it.
  if (!denyEgress && spec.instanceMetadata.deny) out.push(denyMetadata(ctx, compiled.allExceptMetadata, spec.instanceMetadata.cidrs));

  if (denyEgress) out.push(dnsEgress(ctx, spec.dns.namespace, spec.dns.podSelector, compiled.nodeLocalDns));
  if (ns.name === spec.dns.namespace && denied.length > 0) out.push(dnsServer(ctx, spec.dns.podSelector, [...denied], compiled.allExceptMetadata));

  spec.allow.forEach((rule, i) => {
    const description = describeRule(rule);
    const rulePorts = ports(rule.ports);
    const to = rule.to;
    // An allow rule never isolates pods the profile did not mean to isolate: each side is emitted only
    // in a direction the profile denies by default (otherwise it would add nothing but isolation).
    if (denyIngress && to.podSelector !== undefined && isLocalTo(to, ns)) {
      out.push(allowIngress(ctx, rule.name, description, to.podSelector, remotePeer(to, rule.from, compiled.targetedNamespaces), rulePorts));
    }
    if (denyEgress && isLocalTo(rule.from, ns)) {
      const ipBlock = compiled.ruleIpBlocks[i];
      const peer: NetworkPolicyPeer = ipBlock ? { ipBlock } : remotePeer(rule.from, { podSelector: to.podSelector!, namespaceSelector: to.namespaceSelector }, compiled.targetedNamespaces);
      out.push(allowEgress(ctx, rule.name, description, rule.from.podSelector, peer, rulePorts));
    }
  });

  return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Convenience for one-off use (CLI, tests): compiles and renders, throwing CompileError on failure. */
export function render(profile: SegmentationProfile, ns: NamespaceInfo): NetworkPolicy[] {
  const result = compileProfile(profile);
  if (!result.ok) throw new CompileError(profile.metadata.name, result.errors);
  return renderNamespace(result.compiled, ns);
}
