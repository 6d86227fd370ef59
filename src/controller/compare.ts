// Semantic comparison of a desired NetworkPolicy with the one observed in the cache. The API server
// defaults and prunes fields (policyTypes, port protocol, empty lists), so comparing raw JSON would see
// a difference after every restart and write for nothing. We compare only what we set, normalised.
import type { NetworkPolicySpec } from '../api/networkpolicy.js';
import type { DesiredPolicy, ObservedPolicy, OwnerReference } from '../kube/types.js';

export type { DesiredPolicy, ManagedFieldsEntry, ObservedPolicy, OwnerReference } from '../kube/types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Removes what the API server treats as absent (undefined, null, empty arrays, empty matchLabels) and
 * fills what it defaults (port protocol TCP, policyTypes). Empty objects are kept: `namespaceSelector: {}`
 * (every namespace) is not the same as no namespaceSelector (this namespace).
 */
export function normalizeSpec(spec: Partial<NetworkPolicySpec> | undefined): Json {
  const s = (spec ?? {}) as Record<string, unknown>;
  const withDefaults: Record<string, unknown> = { ...s, podSelector: s.podSelector ?? {} };
  if (!Array.isArray(s.policyTypes) || s.policyTypes.length === 0) {
    // The API server's defaulting (pkg/apis/networking/v1/defaults.go).
    const types = ['Ingress'];
    if (Array.isArray(s.egress) && s.egress.length > 0) types.push('Egress');
    withDefaults.policyTypes = types.sort();
  } else {
    withDefaults.policyTypes = [...(s.policyTypes as string[])].sort();
  }
  return clean(withDefaults, '') as Json;
}

function clean(value: unknown, key: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v, '')).filter((v): v is Json => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(value).sort()) {
      const v = clean((value as Record<string, unknown>)[k], k);
      if (v !== undefined) out[k] = v;
    }
    if (key === 'matchLabels' && Object.keys(out).length === 0) return undefined;
    return out;
  }
  return value as Json;
}

function withPortDefaults(spec: Json): Json {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const out = { ...spec };
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = out[dir];
    if (!Array.isArray(rules)) continue;
    out[dir] = rules.map((rule) => {
      if (rule === null || typeof rule !== 'object' || Array.isArray(rule) || !Array.isArray(rule.ports)) return rule;
      return { ...rule, ports: rule.ports.map((p) => (p !== null && typeof p === 'object' && !Array.isArray(p) && p.protocol === undefined ? sortKeys({ ...p, protocol: 'TCP' }) : p)) };
    });
  }
  return out;
}

function sortKeys(o: { [k: string]: Json }): { [k: string]: Json } {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

const specKeys = new WeakMap<object, string>();

/**
 * Canonical string of a spec: equal strings mean the API server enforces the same thing. Memoised per
 * object (cached specs are shared and never mutated).
 */
export function specKey(spec: Partial<NetworkPolicySpec> | undefined): string {
  if (spec === undefined) return JSON.stringify(withPortDefaults(normalizeSpec(spec)));
  let key = specKeys.get(spec);
  if (key === undefined) {
    key = JSON.stringify(withPortDefaults(normalizeSpec(spec)));
    specKeys.set(spec, key);
  }
  return key;
}

function ownerMatches(want: OwnerReference, refs: OwnerReference[] | undefined): boolean {
  return (refs ?? []).some(
    (r) => r.uid === want.uid && r.apiVersion === want.apiVersion && r.kind === want.kind && r.name === want.name && (r.controller ?? false) === (want.controller ?? false) && (r.blockOwnerDeletion ?? false) === (want.blockOwnerDeletion ?? false),
  );
}

function subsetOf(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(want ?? {})) if (have?.[k] !== v) return false;
  return true;
}

/**
 * Why `observed` does not yet carry what `desired` says, or undefined when it does. Compares only the
 * fields we set: our labels and annotations (others' are ignored), our ownerReference and the spec.
 */
export function policyDrift(desired: DesiredPolicy, observed: ObservedPolicy): string | undefined {
  if (!subsetOf(desired.metadata.labels, observed.metadata.labels)) return 'labels';
  if (!subsetOf(desired.metadata.annotations, observed.metadata.annotations)) return 'annotations';
  for (const ref of desired.metadata.ownerReferences ?? []) if (!ownerMatches(ref, observed.metadata.ownerReferences)) return 'ownerReferences';
  if (specKey(desired.spec) !== specKey(observed.spec)) return 'spec';
  return undefined;
}
