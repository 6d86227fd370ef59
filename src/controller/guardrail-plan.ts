// What one guardrail key needs, pure: the desired cluster-scoped objects (a profile's own, or Calico's
// shared Tier) against the objects of ours observed in the caches -> create / apply / delete / frozen.
// Ownership is the label vocabulary plus our field manager: an object without them is never written or
// deleted (a create that finds the name taken reports a Conflict instead).
import { createHash } from 'node:crypto';
import { API_VERSION, KIND } from '../api/profile.js';
import { calicoTier } from '../compile/guardrails/calico.js';
import type { GuardrailObject } from '../compile/guardrails/index.js';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL, PURPOSE_LABEL, RENDERED_HASH_ANNOTATION } from '../compile/labels.js';
import type { DesiredGuardrail, ObservedGuardrail } from '../kube/guardrail-api.js';
import type { OwnerReference } from '../kube/types.js';
import type { ProfileView } from './plan.js';
import type { NamespaceOutcome } from './status.js';

/** The work key of Calico's shared Tier (profile names are DNS labels: no profile can be called this). */
export const SHARED_TIER_KEY = '*calico-tier';

/** The key an observed guardrail object maps to: its profile, or the shared Tier; undefined when not ours. */
export function guardrailKey(obj: Pick<ObservedGuardrail, 'metadata'>): string | undefined {
  const labels = obj.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  if (labels[PURPOSE_LABEL] === 'guardrail-tier') return SHARED_TIER_KEY;
  return labels[PROFILE_LABEL];
}

/** Ours to overwrite or delete for `key`: our labels for that key and our field manager. */
export function isOurs(obj: ObservedGuardrail, key: string): boolean {
  return guardrailKey(obj) === key && (obj.metadata.managedFields ?? []).some((e) => e.manager === FIELD_MANAGER);
}

function owner(profile: Pick<ProfileView, 'name' | 'uid'>, controller: boolean): OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: profile.name, uid: profile.uid, controller, blockOwnerDeletion: false };
}

/** The object to write: the rendered one with its owners and the hash of what was rendered (RENDERED_HASH_ANNOTATION). */
export function withOwners(obj: GuardrailObject, owners: OwnerReference[]): DesiredGuardrail {
  const rendered = createHash('sha256').update(JSON.stringify([obj.apiVersion, obj.kind, obj.metadata, obj.spec])).digest('hex').slice(0, 16);
  const annotations = { ...obj.metadata.annotations, [RENDERED_HASH_ANNOTATION]: rendered };
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { ...obj.metadata, annotations, ownerReferences: owners }, spec: obj.spec };
}

/** What a key wants, or `frozen` when nothing may change now (an invalid or DryRun profile keeps what it has). */
export type KeyDesire = { frozen: true; reason: 'Invalid' | 'DryRun' } | { frozen: false; objects: DesiredGuardrail[] };

/**
 * A profile's desired objects: its compiled guardrails, owned by it (controller). A deleted profile wants
 * nothing (its objects are pruned; the garbage collector would too).
 */
export function profileDesire(view: ProfileView | undefined): KeyDesire {
  if (!view) return { frozen: false, objects: [] };
  if (!view.compiled) return { frozen: true, reason: 'Invalid' };
  if (view.mode === 'DryRun') return { frozen: true, reason: 'DryRun' };
  return { frozen: false, objects: (view.guardrails?.objects ?? []).map((o) => withOwners(o, [owner(view, true)])) };
}

/**
 * Calico's Tier is shared: it exists while any enforcing profile renders Calico guardrails, and lists each
 * of them as an owner (none as controller), so the garbage collector removes it only when the last one is
 * gone and one profile's deletion never takes it from the others.
 */
export function tierDesire(views: Iterable<ProfileView>): KeyDesire {
  const users = [...views].filter((v) => v.compiled && v.mode === 'Enforce' && v.guardrails?.backend === 'Calico' && v.guardrails.objects.length > 0);
  // A DryRun or invalid Calico profile may still rely on the Tier its objects sit in: keep it as it is.
  const frozenUsers = [...views].some((v) => (!v.compiled || v.mode === 'DryRun') && v.guardrails?.backend === 'Calico');
  if (users.length === 0 && frozenUsers) return { frozen: true, reason: 'DryRun' };
  if (users.length === 0) return { frozen: false, objects: [] };
  users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { frozen: false, objects: [withOwners(calicoTier(), users.map((u) => owner(u, false)))] };
}

/** Every field we set is there with our value: objects recursively, lists item by item and of equal length. */
export function covers(want: unknown, have: unknown): boolean {
  if (want === undefined || want === null) return true;
  if (Array.isArray(want)) {
    if (want.length === 0) return have === undefined || have === null || (Array.isArray(have) && have.length === 0);
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(w, have[i]));
  }
  if (typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => covers(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

function sameOwners(want: readonly OwnerReference[], have: readonly OwnerReference[] | undefined): boolean {
  const key = (r: OwnerReference) => `${r.apiVersion}|${r.kind}|${r.name}|${r.uid}|${r.controller ?? false}|${r.blockOwnerDeletion ?? false}`;
  const a = want.map(key).sort();
  const b = (have ?? []).filter((r) => r.kind === KIND && r.apiVersion === API_VERSION).map(key).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * Why `observed` does not carry what `desired` says, or undefined when it does. Compares what we set: our
 * labels and annotations (others' are ignored), our ownerReferences to profiles (exactly: the Tier's owners
 * change as profiles come and go) and every spec field we set (the API server may default more).
 */
export function guardrailDrift(desired: DesiredGuardrail, observed: ObservedGuardrail): string | undefined {
  if (!covers(desired.metadata.labels, observed.metadata.labels ?? {})) return 'labels';
  if (!covers(desired.metadata.annotations, observed.metadata.annotations ?? {})) return 'annotations';
  if (!sameOwners(desired.metadata.ownerReferences, observed.metadata.ownerReferences)) return 'ownerReferences';
  if (!covers(desired.spec, observed.spec)) return 'spec';
  return undefined;
}

export interface GuardrailPlan {
  /** Not observed as ours: create (a name taken by someone else comes back as a conflict). */
  create: DesiredGuardrail[];
  apply: { desired: DesiredGuardrail; observed: ObservedGuardrail; reason: string }[];
  /** Ours and no longer desired (deleted with a uid precondition). */
  delete: ObservedGuardrail[];
  unchanged: number;
  /** Desired but being deleted: created again once it is gone. */
  waiting: number;
}

const keyOf = (o: { kind?: string; metadata: { name?: string } }) => `${o.kind}/${o.metadata.name}`;

/** `observed`: the objects of the caches that map to this key. */
export function planGuardrails(key: string, desire: KeyDesire, observed: readonly ObservedGuardrail[]): GuardrailPlan {
  const plan: GuardrailPlan = { create: [], apply: [], delete: [], unchanged: 0, waiting: 0 };
  if (desire.frozen) return plan;
  const have = new Map(observed.filter((o) => isOurs(o, key)).map((o) => [keyOf(o), o]));
  const wanted = new Set<string>();
  for (const d of desire.objects) {
    const k = keyOf(d);
    wanted.add(k);
    const o = have.get(k);
    if (!o) plan.create.push(d);
    else if (o.metadata.deletionTimestamp) plan.waiting++;
    else {
      const reason = guardrailDrift(d, o);
      if (reason === undefined) plan.unchanged++;
      else plan.apply.push({ desired: d, observed: o, reason });
    }
  }
  for (const [k, o] of have) if (!wanted.has(k) && !o.metadata.deletionTimestamp) plan.delete.push(o);
  return plan;
}

/** The cluster-scoped backend whose objects of this profile are in place (for Auto before the first scan). */
export function backendInPlace(objects: readonly ObservedGuardrail[]): 'Cilium' | 'ClusterNetworkPolicy' | 'Calico' | undefined {
  for (const o of objects) {
    if (o.kind === 'CiliumClusterwideNetworkPolicy') return 'Cilium';
    if (o.kind === 'ClusterNetworkPolicy') return 'ClusterNetworkPolicy';
    if (o.kind === 'GlobalNetworkPolicy') return 'Calico';
  }
  return undefined;
}

/**
 * Break after make on the way back: a profile whose guardrails move back to per-namespace NetworkPolicies
 * keeps its cluster-scoped objects until every namespace it selects has been reconciled with the full
 * per-namespace set in place (an outcome compiled for NetworkPolicy, no failure, every policy there).
 */
export function perNamespaceBlocksInPlace(selected: Iterable<string>, outcomes: ReadonlyMap<string, NamespaceOutcome>): boolean {
  for (const ns of selected) {
    const o = outcomes.get(ns);
    if (!o || o.backend !== 'NetworkPolicy' || o.failure || o.inPlace < o.desired) return false;
  }
  return true;
}
