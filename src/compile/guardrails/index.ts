// The cluster-scoped guardrail objects of one compiled profile, for the backend it was compiled for.
// Pure and deterministic; empty for the NetworkPolicy backend.
import type { CompiledProfile } from '../render.js';
import type { GuardrailObject } from './backend.js';
import { calicoGuardrails, calicoTier } from './calico.js';
import { ciliumGuardrails } from './cilium.js';
import { clusterNetworkPolicyGuardrails } from './cluster-network-policy.js';

export type { GuardrailObject, ResolvedBackend } from './backend.js';
export { isClusterScoped, resolveBackend } from './backend.js';
export { GuardrailError } from './errors.js';
export type { AutoBackendChoice, AutoBackendScan, ScannedEngine } from './auto.js';
export { chooseAutoBackend, engineEnforces, GUARDRAIL_RESOURCES } from './auto.js';

export function renderGuardrails(compiled: CompiledProfile): GuardrailObject[] {
  switch (compiled.backend) {
    case 'Cilium':
      return ciliumGuardrails(compiled);
    case 'ClusterNetworkPolicy':
      return clusterNetworkPolicyGuardrails(compiled);
    case 'Calico':
      return calicoGuardrails(compiled);
    default:
      return [];
  }
}

/**
 * Every guardrail object of several profiles: each profile's own, plus the objects they share (Calico's
 * Tier, once), shared ones first, then by kind and name.
 */
export function renderAllGuardrails(profiles: readonly CompiledProfile[]): GuardrailObject[] {
  const own = profiles.flatMap((p) => p.guardrails);
  own.sort((a, b) => (a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  // The Tier first: Calico refuses a policy whose tier does not exist yet.
  const shared: GuardrailObject[] = profiles.some((p) => p.backend === 'Calico' && p.guardrails.length > 0) ? [calicoTier()] : [];
  return [...shared, ...own];
}
