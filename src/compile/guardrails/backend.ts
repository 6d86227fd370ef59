// Which guardrail backend a profile renders for, and what every cluster-scoped guardrail object shares:
// names, labels, the description annotation. Pure.
import type { ClusterScopedBackend, GuardrailBackend } from '../../api/profile.js';
import { isClusterScopedBackend } from '../../api/profile.js';
import { DESCRIPTION_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL, PURPOSE_LABEL } from '../labels.js';
import { NAME_PREFIX } from '../names.js';

/** A backend after Auto has been decided: what the objects are rendered for. */
export type ResolvedBackend = Exclude<GuardrailBackend, 'Auto'>;

/**
 * The backend to render for: an override (render --backend, or later the operator's detection for Auto)
 * wins; Auto without one is NetworkPolicy (today's per-namespace policies, the safe choice offline).
 */
export function resolveBackend(profileBackend: GuardrailBackend, override?: GuardrailBackend): ResolvedBackend {
  const chosen = override ?? profileBackend;
  return chosen === 'Auto' ? 'NetworkPolicy' : chosen;
}

export function isClusterScoped(backend: ResolvedBackend): backend is ClusterScopedBackend {
  return isClusterScopedBackend(backend);
}

/** What a guardrail object is for (the segmentation.dev/purpose label). */
export type GuardrailPurpose = 'deny-metadata' | 'deny-node-ports' | 'allow-metadata' | 'deny-all' | 'guardrail-tier';

/** `seg.<profile>.<purpose>[.<index>]`: profile names are DNS-1123 labels, so names never collide. */
export function guardrailName(profile: string, purpose: GuardrailPurpose, index?: number): string {
  return `${NAME_PREFIX}.${profile}.${purpose}${index === undefined ? '' : `.${index}`}`;
}

export interface GuardrailMetadata {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function guardrailMetadata(name: string, profile: string | undefined, purpose: GuardrailPurpose, description: string): GuardrailMetadata {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  if (profile !== undefined) labels[PROFILE_LABEL] = profile;
  labels[PURPOSE_LABEL] = purpose;
  return { name, labels, annotations: { [DESCRIPTION_ANNOTATION]: description } };
}

/** Any cluster-scoped guardrail object (all backends). */
export interface GuardrailObject {
  apiVersion: string;
  kind: string;
  metadata: GuardrailMetadata;
  spec: object;
}
