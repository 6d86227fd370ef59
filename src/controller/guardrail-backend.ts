// Which backend a profile's guardrails use on this cluster (its effective backend), and why. Pure.
// - NetworkPolicy: today's per-namespace policies.
// - Cilium, ClusterNetworkPolicy, Calico: that backend when every API it writes is served; otherwise the
//   profile falls back to per-namespace NetworkPolicies (nothing is left unprotected) and says so
//   (Guardrails=False BackendNotInstalled), never silently. The same when the API is served but the engines
//   the last scan found cannot enforce it (Guardrails=False EngineCannotEnforce).
// - Auto: chooseAutoBackend over the served APIs and the engines of the last cluster scan. Before the first
//   scan (right after a start) the backend whose objects are in place is kept, so a restart rewrites
//   nothing; with none in place it is NetworkPolicy.
import type { ClusterScopedBackend, GuardrailBackend } from '../api/profile.js';
import { chooseAutoBackend, engineEnforces, GUARDRAIL_RESOURCES, type ResolvedBackend, type ScannedEngine } from '../compile/guardrails/index.js';

/** The APIs (CRD names) each cluster-scoped backend writes. */
export const BACKEND_RESOURCES: Readonly<Record<ClusterScopedBackend, readonly string[]>> = {
  Cilium: [GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies],
  ClusterNetworkPolicy: [GUARDRAIL_RESOURCES.clusterNetworkPolicies],
  Calico: [GUARDRAIL_RESOURCES.calicoTiers, GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies],
};

export interface GuardrailContext {
  /** The guardrail APIs served now (CRD names with Established=True). */
  served: ReadonlySet<string>;
  /** The engines of the last cluster scan; undefined before the first one. */
  engines?: readonly ScannedEngine[];
}

export interface BackendDecision {
  requested: GuardrailBackend;
  /** What the profile is compiled and applied for. */
  backend: ResolvedBackend;
  /** A cluster-scoped backend was requested but these APIs are not served (the fallback is NetworkPolicy). */
  missing?: string[];
  /** It was requested, its API is served, but the engines the scan found do not enforce it (fallback too). */
  notEnforced?: string[];
  /** One line, for the Guardrails condition. */
  reason: string;
}

export function effectiveBackend(requested: GuardrailBackend, ctx: GuardrailContext, inPlace?: ResolvedBackend): BackendDecision {
  if (requested === 'NetworkPolicy') return { requested, backend: 'NetworkPolicy', reason: 'spec.guardrails.backend is NetworkPolicy: the metadata and node blocks are per-namespace NetworkPolicies' };
  if (requested !== 'Auto') {
    const missing = BACKEND_RESOURCES[requested].filter((r) => !ctx.served.has(r));
    if (missing.length > 0)
      return { requested, backend: 'NetworkPolicy', missing, reason: `spec.guardrails.backend is ${requested} but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed: falling back to per-namespace NetworkPolicies until it is` };
    // Objects nothing enforces would thin out the per-namespace blocks for nothing: an engine that
    // cannot enforce the backend keeps the profile on NetworkPolicies (checked with each cluster scan).
    const enforcing = (ctx.engines ?? []).filter((e) => e.ready !== false);
    if (enforcing.length > 0 && !enforcing.some((e) => engineEnforces(requested, e))) {
      const names = [...new Set(enforcing.map((e) => `${e.engine}${e.version ? ` ${e.version}` : ''}`))];
      return { requested, backend: 'NetworkPolicy', notEnforced: names, reason: `spec.guardrails.backend is ${requested} and its API is installed, but the detected engine (${names.join(', ')}) does not enforce it: falling back to per-namespace NetworkPolicies` };
    }
    return { requested, backend: requested, reason: `spec.guardrails.backend is ${requested}` };
  }
  if (ctx.engines === undefined) {
    if (inPlace && inPlace !== 'NetworkPolicy' && BACKEND_RESOURCES[inPlace].every((r) => ctx.served.has(r))) return { requested, backend: inPlace, reason: `Auto: keeping ${inPlace} (its objects are in place) until the first cluster scan` };
    return { requested, backend: 'NetworkPolicy', reason: 'Auto: NetworkPolicy until the first cluster scan' };
  }
  const choice = chooseAutoBackend({ resources: [...ctx.served].sort(), engines: ctx.engines });
  return { requested, backend: choice.backend, reason: choice.reason };
}

