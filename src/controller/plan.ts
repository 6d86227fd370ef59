// What one namespace needs: desired = union of renderNamespace over every enforcing, valid profile;
// compared with the managed policies observed in the cache. Pure.
import type { NetworkPolicy } from '../api/networkpolicy.js';
import { API_VERSION, KIND } from '../api/profile.js';
import { PROFILE_LABEL } from '../compile/labels.js';
import type { GuardrailObject, ResolvedBackend } from '../compile/guardrails/index.js';
import type { CompiledProfile, NamespaceInfo } from '../compile/render.js';
import { renderNamespace } from '../compile/render.js';
import { profileSelectsNamespace } from '../compile/select.js';
import { type DesiredPolicy, type ObservedPolicy, type OwnerReference, policyDrift } from './compare.js';

/** A profile as the controller knows it: valid (compiled) or not, with its identity. */
export interface ProfileView {
  name: string;
  uid: string;
  generation: number;
  mode: 'Enforce' | 'DryRun';
  /**
   * Undefined when the profile failed the schema or did not compile: it then affects no namespace. Compiled
   * for the backend the per-namespace policies follow (NetworkPolicy until the cluster-scoped guardrail
   * objects of the effective backend are in place: make before break).
   */
  compiled?: CompiledProfile;
  /** The cluster-scoped guardrail objects of the effective backend (the guardrail controller's desire). */
  guardrails?: { backend: ResolvedBackend; objects: GuardrailObject[] };
}

export interface ProfileNamespaceResult {
  /** The profile targets the namespace. */
  selected: boolean;
  /** Policies this profile wants in the namespace. */
  desired: number;
  /** For DryRun profiles: what enforcing it would do (policy names). */
  dryRun?: { create: string[]; update: string[]; delete: string[] };
}

export interface PolicyUpdate {
  desired: DesiredPolicy;
  observed: ObservedPolicy;
  reason: string;
}

export interface NamespacePlan {
  create: DesiredPolicy[];
  update: PolicyUpdate[];
  delete: ObservedPolicy[];
  unchanged: number;
  /** Per profile that targets the namespace or has policies in it. */
  profiles: Map<string, ProfileNamespaceResult>;
}

export function ownerReference(profile: Pick<ProfileView, 'name' | 'uid'>): OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: profile.name, uid: profile.uid, controller: true, blockOwnerDeletion: false };
}

export function withOwner(policy: NetworkPolicy, profile: Pick<ProfileView, 'name' | 'uid'>): DesiredPolicy {
  return { ...policy, metadata: { ...policy.metadata, ownerReferences: [ownerReference(profile)] } };
}

/** The profile named by a managed policy's label. */
export function policyProfile(p: { metadata: { labels?: Record<string, string> | undefined } }): string | undefined {
  return p.metadata.labels?.[PROFILE_LABEL];
}

export function planNamespace(ns: NamespaceInfo, profiles: Iterable<ProfileView>, observedPolicies: Iterable<ObservedPolicy>): NamespacePlan {
  const observed = new Map<string, ObservedPolicy>();
  for (const p of observedPolicies) if (p.metadata.name && !p.metadata.deletionTimestamp) observed.set(p.metadata.name, p);
  const plan: NamespacePlan = { create: [], update: [], delete: [], unchanged: 0, profiles: new Map() };
  const desiredNames = new Set<string>();
  /** Profiles that exist but must not change anything: DryRun ones and invalid ones. Their policies stay. */
  const frozen = new Map<string, ProfileView>();

  for (const profile of profiles) {
    if (!profile.compiled || profile.mode === 'DryRun') {
      frozen.set(profile.name, profile);
      if (profile.compiled) {
        const rendered = renderNamespace(profile.compiled, ns);
        const selected = profileSelectsNamespace(profile.compiled.profile, ns);
        const dry = { create: [] as string[], update: [] as string[], delete: [] as string[] };
        const names = new Set<string>();
        for (const policy of rendered) {
          const name = policy.metadata.name;
          names.add(name);
          const have = observed.get(name);
          if (!have) dry.create.push(name);
          else if (policyDrift(withOwner(policy, profile), have) !== undefined) dry.update.push(name);
        }
        for (const have of observed.values()) if (policyProfile(have) === profile.name && !names.has(have.metadata.name!)) dry.delete.push(have.metadata.name!);
        if (selected || dry.delete.length > 0) plan.profiles.set(profile.name, { selected, desired: rendered.length, dryRun: dry });
      }
      continue;
    }
    const rendered = renderNamespace(profile.compiled, ns);
    // A selected namespace counts as matched even when the profile renders nothing for it (say, only
    // allow rules whose pods live elsewhere): status.matchedNamespaces counts what the profile selects.
    if (rendered.length === 0 && !profileSelectsNamespace(profile.compiled.profile, ns)) continue;
    plan.profiles.set(profile.name, { selected: true, desired: rendered.length });
    for (const policy of rendered) {
      const desired = withOwner(policy, profile);
      const name = desired.metadata.name;
      desiredNames.add(name);
      const have = observed.get(name);
      if (!have) {
        plan.create.push(desired);
        continue;
      }
      const reason = policyDrift(desired, have);
      if (reason === undefined) plan.unchanged++;
      else plan.update.push({ desired, observed: have, reason });
    }
  }

  for (const have of observed.values()) {
    if (desiredNames.has(have.metadata.name!)) continue;
    const owner = policyProfile(have);
    if (owner !== undefined && frozen.has(owner)) continue;
    plan.delete.push(have);
    if (owner !== undefined && !plan.profiles.has(owner)) plan.profiles.set(owner, { selected: false, desired: 0 });
  }
  return plan;
}
