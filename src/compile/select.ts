// Which namespaces a profile targets. Pure functions.
import type { LabelSelector, SegmentationProfile } from '../api/profile.js';
import { SYSTEM_NAMESPACES } from '../api/profile.js';
import { IGNORE_LABEL } from './labels.js';

/** The parts of a Namespace the compiler looks at. */
export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/** Standard LabelSelector semantics: all requirements ANDed; `{}` matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        if (!has || !(req.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (req.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Matches a namespace name against a glob of `*` (any run) and `?` (one character). */
export function globMatches(glob: string, name: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

export function isSystemNamespace(name: string): boolean {
  return (SYSTEM_NAMESPACES as readonly string[]).includes(name);
}

/** Why a profile does or does not target a namespace; `undefined` reason means it is targeted. */
export function targetingDecision(profile: SegmentationProfile, ns: NamespaceInfo): { targeted: boolean; reason: string } {
  const spec = profile.spec;
  if (ns.labels[IGNORE_LABEL] === 'true') return { targeted: false, reason: `namespace is labelled ${IGNORE_LABEL}=true` };
  if (isSystemNamespace(ns.name) && !spec.includeSystemNamespaces)
    return { targeted: false, reason: 'system namespace (set spec.includeSystemNamespaces to target it)' };
  const glob = spec.excludeNamespaces?.find((g) => globMatches(g, ns.name));
  if (glob !== undefined) return { targeted: false, reason: `excluded by spec.excludeNamespaces "${glob}"` };
  if (spec.namespaceSelector && !selectorMatches(spec.namespaceSelector, ns.labels))
    return { targeted: false, reason: 'labels do not match spec.namespaceSelector' };
  return { targeted: true, reason: 'selected' };
}

export function profileSelectsNamespace(profile: SegmentationProfile, ns: NamespaceInfo): boolean {
  return targetingDecision(profile, ns).targeted;
}
