// Label selectors as the API defines them (matching and printing), and which namespaces a profile
// targets. Pure functions; the compiler and the analysis (explain, matrix, audit) share them.
import type { LabelSelector } from '../api/networkpolicy.js';
import type { SegmentationProfile } from '../api/profile.js';
import { SYSTEM_NAMESPACES } from '../api/profile.js';
import { IGNORE_LABEL, NAMESPACE_NAME_LABEL } from './labels.js';

export type Labels = Readonly<Record<string, string>>;

/** The parts of a Namespace the compiler and the analysis look at. */
export interface NamespaceInfo {
  name: string;
  labels: Labels;
}

/**
 * A namespace with the labels the API server gives it: `kubernetes.io/metadata.name` is always set, to
 * its name (offline input may lack it).
 */
export function namespaceInfo(name: string, labels: Labels = {}): NamespaceInfo {
  return { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } };
}

/**
 * True when `labels` satisfy `selector`: every matchLabels entry and every expression must hold; `{}`
 * selects everything. In = key present with a listed value; NotIn = key absent or value not listed;
 * Exists; DoesNotExist. Inherited object keys (`constructor`) are never labels.
 *
 * An unknown operator matches nothing and never throws. The API server rejects such a selector and our
 * schemas do too, so it can only arrive from input nobody validated; `explain` then answers instead of
 * crashing, and it never reads an operator it does not know as "no constraint".
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True for `{}` (or a selector with only empty lists): it selects every object. */
export function selectsEverything(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * A selector as kubectl prints it: `app=web,tier in (a,b),!legacy`. `{}` prints as `everything`: `(all)`
 * by default (explain, audit); rendered descriptions say `pods [all]`.
 */
export function formatSelector(selector: LabelSelector, everything = '(all)'): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    if (req.operator === 'In') parts.push(`${req.key} in (${values})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${values})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else parts.push(`${req.key} ${req.operator} (${values})`);
  }
  return parts.length === 0 ? everything : parts.join(',');
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

/** The names of the namespaces a profile selects. */
export function selectedNamespaces(profile: SegmentationProfile, namespaces: readonly NamespaceInfo[]): string[] {
  return namespaces.filter((ns) => profileSelectsNamespace(profile, ns)).map((ns) => ns.name);
}
