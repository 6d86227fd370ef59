// The compiler: (profile, namespace) -> the exact NetworkPolicies that namespace needs. Pure and
// deterministic: the same input gives byte-identical output. docs/policies.md explains every policy.
import type { Cidr } from '../api/cidr.js';
import { parseCidr } from '../api/cidr.js';
import type { IPBlock, LabelSelector as WireSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../api/networkpolicy.js';
import type { ApiServerEndpoints } from '../api/apiserver-endpoints.js';
import type { AllowRule, LabelSelector, Peer, SegmentationProfile } from '../api/profile.js';
import type { GuardrailBackend } from '../api/profile.js';
import { DNS_PRESETS, isGlob, SYSTEM_NAMESPACES } from '../api/profile.js';
import type { GuardrailObject, ResolvedBackend } from './guardrails/index.js';
import { GuardrailError, isClusterScoped, renderGuardrails, resolveBackend } from './guardrails/index.js';
import type { PolicyContext } from './builders.js';
import { allowApiServer, allowEgress, allowIngress, allowMetadata, denyAll, dnsEgress, dnsServer, dnsServerForRule, intersectSelectors, openEgress, ports, selector } from './builders.js';
import { allAddressesExcept, guardedIpBlock, MetadataOverlapError } from './ipblocks.js';
import type { NodeAccessGuard } from './node-access.js';
import { guardNodeAccess, normaliseNodeCidrs } from './node-access.js';
import { IGNORE_LABEL, NAMESPACE_NAME_LABEL } from './labels.js';
import { formatSelector, namespaceInfo, profileSelectsNamespace, selectorMatches, type NamespaceInfo } from './select.js';

export type { NamespaceInfo } from './select.js';

/** A profile checked beyond its schema, with what every namespace shares precomputed. */
export interface CompiledProfile {
  profile: SegmentationProfile;
  /** Metadata CIDRs to keep out of every ipBlock (empty when spec.instanceMetadata.deny is false). */
  blockedMetadata: Cidr[];
  /** `0.0.0.0/0` and `::/0` minus the metadata CIDRs. */
  allExceptMetadata: IPBlock[];
  /** Node-local DNS servers (spec.dns.nodeLocalCIDRs, then spec.dns.preset's ranges), guarded. */
  nodeLocalDns: IPBlock[];
  /** Per allow rule, its ipBlock destination already guarded (undefined for pod destinations). */
  ruleIpBlocks: (IPBlock | undefined)[];
  /** The metadata CIDRs as ipBlocks, for spec.instanceMetadata.allowFrom (the sanctioned exceptions). */
  metadataBlocks: IPBlock[];
  /** The API server's endpoint addresses (guarded) and ports; undefined unless spec.apiServer is set. */
  apiServer?: { blocks: IPBlock[]; ports: NetworkPolicyPort[] };
  /** Node ranges and the ports pods may not reach there; undefined unless spec.nodeAccess is set. */
  nodeGuard?: NodeAccessGuard;
  /** "The namespaces this profile targets" as a namespace selector, for cross-namespace peers. */
  targetedNamespaces: WireSelector;
  /** The guardrails backend rendered for (Auto resolved; see CompileOptions.guardrails). */
  backend: ResolvedBackend;
  /** The cluster-scoped guardrail objects (empty for the NetworkPolicy backend). docs/guardrails.md. */
  guardrails: GuardrailObject[];
}

export interface CompileOptions {
  /**
   * Set by a caller that also applies the cluster-scoped guardrail objects (`render`). Only then may the
   * per-namespace metadata and node-port policies be left to the guardrails: a caller without it (today's
   * operator) compiles for the NetworkPolicy backend whatever the profile says, so nothing is weakened.
   * `override` replaces spec.guardrails.backend (render --backend; later the operator's detection for
   * Auto); Auto without an override is NetworkPolicy.
   */
  guardrails?: { override?: GuardrailBackend | undefined };
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

/** Facts about the cluster that some profiles need: read live by the operator, from files offline. */
export interface ClusterFacts {
  apiServer?: ApiServerEndpoints;
}

export const MISSING_API_SERVER = "the API server's endpoint addresses are not known (they come from the kubernetes EndpointSlice in namespace default)";

/**
 * Everything a profile means that cannot depend on the namespace, checked once. Errors name the field.
 */
export function compileProfile(profile: SegmentationProfile, facts: ClusterFacts = {}, options: CompileOptions = {}): CompileResult {
  const spec = profile.spec;
  const errors: string[] = [];
  const backend: ResolvedBackend = options.guardrails ? resolveBackend(spec.guardrails.backend, options.guardrails.override) : 'NetworkPolicy';
  if (isClusterScoped(backend)) errors.push(...clusterScopedErrors(profile, backend));
  const blockedMetadata = spec.instanceMetadata.deny ? spec.instanceMetadata.cidrs.map((c) => parseCidr(c)!) : [];
  const guard = (path: string, cidr: string, except: readonly string[] = []): IPBlock | undefined => {
    try {
      return guardedIpBlock(cidr, except, blockedMetadata);
    } catch (err) {
      if (!(err instanceof MetadataOverlapError)) throw err;
      errors.push(`${path}: ${err.message}; to let some pods reach it, use spec.instanceMetadata.allowFrom`);
      return undefined;
    }
  };
  const presetDns = spec.dns.preset ? DNS_PRESETS[spec.dns.preset].flatMap((cidr) => guard(`spec.dns.preset (${spec.dns.preset})`, cidr) ?? []) : [];
  const nodeLocalDns = [...(spec.dns.nodeLocalCIDRs ?? []).flatMap((cidr, i) => guard(`spec.dns.nodeLocalCIDRs[${i}]`, cidr) ?? []), ...presetDns];
  const ruleIpBlocks = spec.allow.map((rule, i) => (rule.to.ipBlock ? guard(`spec.allow[${i}].to.ipBlock.cidr`, rule.to.ipBlock.cidr, rule.to.ipBlock.except) : undefined));
  let apiServer: CompiledProfile['apiServer'];
  // Only needed when egress is denied: with egress open the API server is reachable already (a warning).
  if (spec.apiServer && spec.defaultDeny.egress) {
    if (!facts.apiServer) errors.push(`spec.apiServer.allowFrom: ${MISSING_API_SERVER}`);
    else {
      const blocks = facts.apiServer.addresses.flatMap((a) => guard('spec.apiServer (endpoint address)', `${a}/${a.includes(':') ? 128 : 32}`) ?? []);
      apiServer = { blocks, ports: facts.apiServer.ports.map((p) => ({ protocol: p.protocol, port: p.port })) };
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const compiled: CompiledProfile = {
    profile,
    blockedMetadata,
    allExceptMetadata: allAddressesExcept(blockedMetadata),
    nodeLocalDns,
    ruleIpBlocks,
    metadataBlocks: spec.instanceMetadata.cidrs.map((c) => ({ cidr: parseCidr(c)!.text })),
    targetedNamespaces: targetedNamespacesSelector(profile),
    backend,
    guardrails: [],
  };
  if (apiServer) compiled.apiServer = apiServer;
  if (spec.nodeAccess) compiled.nodeGuard = { cidrs: normaliseNodeCidrs(spec.nodeAccess.cidrs), denyPorts: ports(spec.nodeAccess.denyPorts)! };
  try {
    compiled.guardrails = renderGuardrails(compiled);
  } catch (err) {
    if (!(err instanceof GuardrailError)) throw err;
    return { ok: false, errors: [`${err.message} (guardrails backend ${backend})`] };
  }
  return { ok: true, compiled };
}

/**
 * What a cluster-scoped backend cannot express. The schema rejects these when the profile names the
 * backend itself; they are checked again here for a backend chosen by an override.
 */
function clusterScopedErrors(profile: SegmentationProfile, backend: ResolvedBackend): string[] {
  const spec = profile.spec;
  const errors: string[] = [];
  spec.excludeNamespaces?.forEach((pattern, i) => {
    if (isGlob(pattern)) errors.push(`spec.excludeNamespaces[${i}]: the glob "${pattern}" cannot be expressed as a namespace selector for the ${backend} backend: list the names, or label those namespaces segmentation.dev/ignore=true`);
  });
  if (spec.guardrails.defaultDenyTier === 'Baseline' && backend !== 'ClusterNetworkPolicy') errors.push(`spec.guardrails.defaultDenyTier: Baseline needs the ClusterNetworkPolicy backend (rendering for ${backend})`);
  if (spec.instanceMetadata.deny)
    (spec.instanceMetadata.allowFrom ?? []).forEach((entry, i) =>
      (entry.ports ?? []).forEach((p, j) => {
        if (typeof p.port === 'string') errors.push(`spec.instanceMetadata.allowFrom[${i}].ports[${j}].port: the named port "${p.port}" cannot match the metadata endpoint (an address, not a pod) in a ${backend} guardrail: use the number`);
      }),
    );
  return errors;
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
  return peer.namespaceSelector === undefined || selectorMatches(peer.namespaceSelector, namespaceInfo(ns.name, ns.labels).labels);
}

/**
 * How the policy on one side refers to the pods on the other side. Both sides without namespaceSelector:
 * the same namespace. The other side with one: those namespaces. This side with one and the other
 * without: the other side's pods live in every namespace the profile targets.
 */
function remotePeer(here: { namespaceSelector?: LabelSelector | undefined }, there: Peer, targeted: WireSelector): NetworkPolicyPeer {
  const podSelector = selector(there.podSelector ?? {});
  if (there.namespaceSelector !== undefined) return { namespaceSelector: selector(there.namespaceSelector), podSelector };
  if (here.namespaceSelector !== undefined) return { namespaceSelector: targeted, podSelector };
  return { podSelector };
}

function describePods(peer: { podSelector?: LabelSelector | undefined; namespaceSelector?: LabelSelector | undefined }): string {
  const pods = `pods [${formatSelector(peer.podSelector ?? {}, 'all')}]`;
  return peer.namespaceSelector ? `${pods} in namespaces [${formatSelector(peer.namespaceSelector, 'all')}]` : pods;
}

function describePeer(peer: Peer): string {
  return peer.ipBlock ? peer.ipBlock.cidr : describePods(peer);
}

function describePorts(list: readonly { protocol?: string; port?: number | string | undefined; endPort?: number | undefined }[] | undefined): string {
  return list && list.length > 0 ? ` on ${list.map((p) => `${p.protocol ?? 'TCP'}/${p.port ?? 'any'}${p.endPort ? `-${p.endPort}` : ''}`).join(', ')}` : ' on any port';
}

function describeRule(rule: AllowRule): string {
  return `Allow rule "${rule.name}": ${describePeer(rule.from)} to ${describePeer(rule.to)}${describePorts(rule.ports)}.${rule.description ? ` ${rule.description}` : ''}`;
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
  // With a cluster-scoped backend the guardrail objects block the metadata endpoint and node ports for
  // every targeted namespace (docs/guardrails.md); the Baseline tier may hold the default deny.
  const clusterScoped = isClusterScoped(compiled.backend);
  const baselineDeny = compiled.backend === 'ClusterNetworkPolicy' && spec.guardrails.defaultDenyTier === 'Baseline';
  if (denied.length > 0 && !baselineDeny) out.push(denyAll(ctx, [...denied]));

  // With egress denied, the default deny already blocks the metadata endpoint and node ports, and an
  // allow-all-but policy would reopen all other egress. Only when egress is open do we add one, and only
  // without a cluster-scoped guardrail (which replaces it).
  if (clusterScoped) {
    // nothing: the guardrail objects hold the metadata and node-port blocks
  } else if (!denyEgress && spec.instanceMetadata.deny) {
    out.push(openEgress(ctx, 'deny-metadata', `Egress stays open except to the instance-metadata endpoint(s) ${spec.instanceMetadata.cidrs.join(', ')}${compiled.nodeGuard ? ' and the denied node ports' : ''}.`, compiled.allExceptMetadata));
  } else if (!denyEgress && compiled.nodeGuard) {
    out.push(openEgress(ctx, 'deny-node-ports', 'Egress stays open except to the denied ports of the nodes (spec.nodeAccess).', allAddressesExcept([])));
  }

  if (denyEgress) out.push(dnsEgress(ctx, spec.dns.namespace, spec.dns.podSelector, compiled.nodeLocalDns));
  if (ns.name === spec.dns.namespace && denied.length > 0) out.push(dnsServer(ctx, spec.dns.podSelector, [...denied], compiled.allExceptMetadata));

  // Sanctioned metadata exceptions: only meaningful while the profile blocks the endpoint. With a
  // cluster-scoped guardrail and egress open, the exception's pods are not egress-isolated (there is no
  // deny-metadata policy), so the guardrail's Pass (or Cilium's narrower deny) is all they need, and an
  // egress policy on them would cut the rest of their egress.
  if (spec.instanceMetadata.deny && (denyEgress || !clusterScoped)) {
    (spec.instanceMetadata.allowFrom ?? []).forEach((entry, i) => {
      if (!isLocalTo(entry, ns)) return;
      const description = `Metadata exception ${i}: ${describePods(entry)} may reach the instance-metadata endpoint(s) ${spec.instanceMetadata.cidrs.join(', ')}${describePorts(entry.ports)}.`;
      out.push(allowMetadata(ctx, i, description, entry.podSelector, compiled.metadataBlocks, ports(entry.ports)));
    });
  }

  // With egress open the API server is reachable already; with it denied, its real endpoints are allowed.
  if (denyEgress && compiled.apiServer) {
    const api = compiled.apiServer;
    spec.apiServer!.allowFrom.forEach((entry, i) => {
      if (!isLocalTo(entry, ns)) return;
      const description = `API server access ${i}: ${describePods(entry)} may reach the API server at ${api.blocks.map((b) => b.cidr).join(', ')}${describePorts(api.ports)}.`;
      out.push(allowApiServer(ctx, i, description, entry.podSelector, api.blocks, api.ports));
    });
  }

  spec.allow.forEach((rule, i) => {
    const description = describeRule(rule);
    const rulePorts = ports(rule.ports);
    const { from, to } = rule;
    // Selecting the destination pods is what the rule means (as a NetworkPolicy on them would): the
    // ingress side is always emitted. The egress side isolates the source pods' egress, so it is emitted
    // only when the profile denies egress by default.
    if (to.podSelector !== undefined && isLocalTo(to, ns)) {
      const source: NetworkPolicyPeer = from.ipBlock ? { ipBlock: sourceBlock(from.ipBlock) } : remotePeer(to, from, compiled.targetedNamespaces);
      out.push(allowIngress(ctx, rule.name, description, to.podSelector, source, rulePorts));
      // With ingress denied, dns-server already keeps the DNS pods reachable in their namespace.
      const dnsPods = ns.name === spec.dns.namespace && !denyIngress ? intersectSelectors(spec.dns.podSelector, to.podSelector) : undefined;
      if (dnsPods) out.push(dnsServerForRule(ctx, rule.name, dnsPods, compiled.allExceptMetadata));
    }
    if (denyEgress && from.podSelector !== undefined && isLocalTo(from, ns)) {
      const ipBlock = compiled.ruleIpBlocks[i];
      const peer: NetworkPolicyPeer = ipBlock ? { ipBlock } : remotePeer(from, to, compiled.targetedNamespaces);
      out.push(allowEgress(ctx, rule.name, description, from.podSelector, peer, rulePorts));
    }
  });

  if (compiled.nodeGuard) for (const policy of out) guardPolicy(policy, compiled.nodeGuard);
  return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** A source range as the API server stores it (canonical text); sources need no metadata guard. */
function sourceBlock(block: { cidr: string; except?: string[] | undefined }): IPBlock {
  const out: IPBlock = { cidr: parseCidr(block.cidr)!.text };
  if (block.except && block.except.length > 0) out.except = block.except.map((e) => parseCidr(e)!.text);
  return out;
}

function guardPolicy(policy: NetworkPolicy, guard: NodeAccessGuard): void {
  if (policy.spec.egress) policy.spec.egress = policy.spec.egress.flatMap((rule) => guardNodeAccess(rule, guard));
}

/** Convenience for one-off use (CLI, tests): compiles and renders, throwing CompileError on failure. */
export function render(profile: SegmentationProfile, ns: NamespaceInfo, facts: ClusterFacts = {}, options: CompileOptions = {}): NetworkPolicy[] {
  const result = compileProfile(profile, facts, options);
  if (!result.ok) throw new CompileError(profile.metadata.name, result.errors);
  return renderNamespace(result.compiled, ns);
}
