// The profiles the controller knows, parsed and compiled once per change (not once per reconcile), with
// the cluster facts some of them need (the API server's endpoints for spec.apiServer) and the guardrail
// backend each one gets on this cluster (guardrail-backend.ts: the served APIs, the scanned engines).
import { segmentationProfileSchema, type SegmentationProfile } from '../api/profile.js';
import { compileProfile, type ClusterFacts } from '../compile/render.js';
import { profileWarnings, type ProfileWarning } from '../compile/warnings.js';
import type { ResolvedBackend } from '../compile/guardrails/index.js';
import type { ProfileObject } from '../kube/api.js';
import { effectiveBackend, type BackendDecision, type GuardrailContext } from './guardrail-backend.js';
import type { ProfileView } from './plan.js';

export interface KnownProfile {
  raw: ProfileObject;
  view: ProfileView;
  /** Parsed (defaults filled) when the schema accepted it. */
  parsed?: SegmentationProfile;
  /** Schema or compile errors; empty when valid. */
  errors: string[];
  /** Parts of a parsed profile that can have no effect (profileWarnings); empty when it did not parse. */
  warnings: ProfileWarning[];
  /** The guardrail backend it is compiled for, and why (when it parsed). */
  guardrails?: BackendDecision;
}

/**
 * What decides a profile's guardrail backend: `inPlace` is the backend of its objects in the caches, and
 * `present` their `Kind/name`s (the per-namespace policies follow a cluster-scoped backend only once every
 * object of it is there).
 */
export interface GuardrailFacts extends GuardrailContext {
  inPlace?: (profile: string) => ResolvedBackend | undefined;
  present?: (profile: string) => ReadonlySet<string>;
}
export const NO_GUARDRAIL_APIS: GuardrailFacts = { served: new Set() };

export function understandProfile(raw: ProfileObject, facts: ClusterFacts = {}, guardrailFacts: GuardrailFacts = NO_GUARDRAIL_APIS): KnownProfile {
  const name = raw.metadata?.name ?? '';
  const base = { name, uid: raw.metadata?.uid ?? '', generation: raw.metadata?.generation ?? 0 };
  const parsed = segmentationProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { raw, view: { ...base, mode: 'Enforce' }, errors, warnings: [] };
  }
  const warnings = profileWarnings(parsed.data);
  let guardrails = effectiveBackend(parsed.data.spec.guardrails.backend, guardrailFacts, guardrailFacts.inPlace?.(name));
  let compiled = compileProfile(parsed.data, facts, { guardrails: { override: guardrails.backend } });
  if (!compiled.ok && guardrails.requested === 'Auto' && guardrails.backend !== 'NetworkPolicy') {
    // What Auto chose cannot express this profile (say, a glob exclude): per-namespace policies instead.
    const why = compiled.errors.join('; ');
    compiled = compileProfile(parsed.data, facts, { guardrails: { override: 'NetworkPolicy' } });
    guardrails = { ...guardrails, backend: 'NetworkPolicy', reason: `${guardrails.reason}, but the profile cannot use it (${why}): NetworkPolicy` };
  }
  if (!compiled.ok) return { raw, view: { ...base, mode: parsed.data.spec.mode }, parsed: parsed.data, errors: compiled.errors, warnings, guardrails };
  const objects = compiled.compiled.guardrails;
  let forNamespaces = compiled.compiled;
  if (!guardrailsPresent(objects, guardrailFacts.present?.(name))) {
    // Make before break: the per-namespace metadata and node blocks stay until the guardrails replacing them exist.
    const np = compileProfile(parsed.data, facts, { guardrails: { override: 'NetworkPolicy' } });
    if (np.ok) forNamespaces = np.compiled;
  }
  return { raw, view: { ...base, mode: parsed.data.spec.mode, compiled: forNamespaces, guardrails: { backend: guardrails.backend, objects } }, parsed: parsed.data, errors: [], warnings, guardrails };
}

function guardrailsPresent(objects: readonly { kind: string; metadata: { name: string } }[], present: ReadonlySet<string> | undefined): boolean {
  return objects.every((o) => present?.has(`${o.kind}/${o.metadata.name}`));
}

/** Whether a profile's compiled form depends on the API server's endpoints. */
export function needsApiServer(profile: KnownProfile): boolean {
  return profile.parsed?.spec.apiServer !== undefined;
}

export class ProfileRegistry {
  private readonly byName = new Map<string, KnownProfile>();
  private facts: ClusterFacts = {};
  private guardrailFacts: GuardrailFacts = NO_GUARDRAIL_APIS;

  set(raw: ProfileObject): { before?: KnownProfile; after: KnownProfile } {
    const after = understandProfile(raw, this.facts, this.guardrailFacts);
    const before = this.byName.get(after.view.name);
    this.byName.set(after.view.name, after);
    return before ? { before, after } : { after };
  }

  /**
   * New cluster facts: recompiles the profiles that depend on them (those with spec.apiServer) and
   * returns them, before and after, so the caller can enqueue their namespaces.
   */
  setFacts(facts: ClusterFacts): { before: KnownProfile; after: KnownProfile }[] {
    this.facts = facts;
    const changed: { before: KnownProfile; after: KnownProfile }[] = [];
    for (const [name, before] of this.byName) {
      if (!needsApiServer(before)) continue;
      const after = understandProfile(before.raw, facts, this.guardrailFacts);
      this.byName.set(name, after);
      changed.push({ before, after });
    }
    return changed;
  }

  /**
   * New guardrail facts (an API appeared or went, a scan saw another engine): recompiles every profile and
   * returns those whose backend decision changed (backend or reason), before and after.
   */
  setGuardrailFacts(facts: GuardrailFacts): { before: KnownProfile; after: KnownProfile }[] {
    this.guardrailFacts = facts;
    const changed: { before: KnownProfile; after: KnownProfile }[] = [];
    for (const [name, before] of this.byName) {
      if (!before.parsed) continue;
      const after = understandProfile(before.raw, this.facts, facts);
      if (after.guardrails?.backend === before.guardrails?.backend && after.guardrails?.reason === before.guardrails?.reason && after.view.compiled?.backend === before.view.compiled?.backend) continue;
      this.byName.set(name, after);
      changed.push({ before, after });
    }
    return changed;
  }

  /**
   * The guardrail objects of a profile changed in the caches: recompiles it when its per-namespace policies
   * must now follow (or stop following) its cluster-scoped backend; returns before and after then.
   */
  refreshGuardrails(name: string): { before: KnownProfile; after: KnownProfile } | undefined {
    const before = this.byName.get(name);
    if (!before?.parsed || !before.view.guardrails) return undefined;
    const present = guardrailsPresent(before.view.guardrails.objects, this.guardrailFacts.present?.(name));
    const following = before.view.compiled?.backend === before.view.guardrails.backend;
    if (present === following) return undefined;
    const after = understandProfile(before.raw, this.facts, this.guardrailFacts);
    this.byName.set(name, after);
    return { before, after };
  }

  delete(name: string): KnownProfile | undefined {
    const before = this.byName.get(name);
    this.byName.delete(name);
    return before;
  }

  get(name: string): KnownProfile | undefined {
    return this.byName.get(name);
  }

  views(): ProfileView[] {
    return [...this.byName.values()].filter((p) => !p.raw.metadata?.deletionTimestamp).map((p) => p.view);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
