// Event -> namespace keys. Pure. Like controller-runtime's EnqueueRequestsFromMapFunc, a profile update
// maps both the old and the new object, so namespaces that stop matching are cleaned up.
import type { SegmentationProfile } from '../api/profile.js';
import type { NamespaceInfo } from '../compile/select.js';
import { profileSelectsNamespace } from '../compile/select.js';

/** The spec-level identity of a profile: a change here (not a status write) affects namespaces. */
type ProfileLike = { metadata?: { generation?: number | undefined; uid?: string | undefined }; spec?: unknown };

export function profileChanged(oldP: ProfileLike | undefined, newP: ProfileLike | undefined): boolean {
  if (!oldP || !newP) return true;
  if (oldP.metadata?.uid !== newP.metadata?.uid) return true;
  if (oldP.metadata?.generation !== newP.metadata?.generation) return true;
  return JSON.stringify(oldP.spec) !== JSON.stringify(newP.spec);
}

/**
 * Namespaces to reconcile after a profile event: those the old or the new profile selects (undefined =
 * absent or invalid), plus those that hold policies of this profile (so a deleted or invalidated profile's
 * leftovers, or a DryRun switch, are reconsidered).
 */
export function namespacesForProfileEvent(
  oldProfile: SegmentationProfile | undefined,
  newProfile: SegmentationProfile | undefined,
  namespaces: Iterable<NamespaceInfo>,
  namespacesWithPolicies: Iterable<string>,
): Set<string> {
  const out = new Set<string>(namespacesWithPolicies);
  for (const ns of namespaces) {
    if ((oldProfile && profileSelectsNamespace(oldProfile, ns)) || (newProfile && profileSelectsNamespace(newProfile, ns))) out.add(ns.name);
  }
  return out;
}
