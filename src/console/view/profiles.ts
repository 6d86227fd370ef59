// Profiles as the console sees them: each checked once (schema + compiler), and which namespaces each
// one targets and why. Pure.
import type { SegmentationProfile } from '../../api/profile.js';
import type { ClusterFacts } from '../../compile/render.js';
import { namespaceInfo, targetingDecision } from '../../compile/select.js';
import { checkProfile, type ProfileCheck } from './issues.js';
import type { NamespaceEntry, ProfileEntry } from './snapshot.js';

export interface CheckedProfile {
  entry: ProfileEntry;
  check: ProfileCheck;
}

export function checkProfiles(entries: readonly ProfileEntry[], facts: ClusterFacts = {}): CheckedProfile[] {
  return entries.map((entry) => ({ entry, check: checkProfile({ apiVersion: entry.apiVersion, kind: entry.kind, metadata: entry.metadata, spec: entry.spec }, facts) }));
}

/** Namespaces the profile targets (terminating ones are skipped, as the operator does). */
export function matchedNamespaces(profile: SegmentationProfile, namespaces: readonly NamespaceEntry[]): NamespaceEntry[] {
  return namespaces.filter((ns) => !ns.terminating && targetingDecision(profile, namespaceInfo(ns.name, ns.labels)).targeted);
}

export interface Targeting {
  profile: string;
  mode: 'Enforce' | 'DryRun';
  targeted: boolean;
  reason: string;
}

/** For one namespace: every valid profile, whether it targets the namespace, and why (or why not). */
export function targetingOf(ns: NamespaceEntry, profiles: readonly CheckedProfile[]): Targeting[] {
  return profiles.flatMap(({ check }) => {
    if (!check.profile) return [];
    const d = targetingDecision(check.profile, namespaceInfo(ns.name, ns.labels));
    return [{ profile: check.profile.metadata.name, mode: check.profile.spec.mode, targeted: d.targeted, reason: d.reason }];
  });
}

/** Namespaces that no valid Enforce profile targets: they stand out on the overview. */
export function uncoveredNamespaces(namespaces: readonly NamespaceEntry[], profiles: readonly CheckedProfile[]): NamespaceEntry[] {
  const enforcing = profiles.flatMap(({ check }) => (check.profile && check.compiled && check.profile.spec.mode === 'Enforce' ? [check.profile] : []));
  return namespaces.filter((ns) => !ns.terminating && !enforcing.some((p) => targetingDecision(p, namespaceInfo(ns.name, ns.labels)).targeted));
}
