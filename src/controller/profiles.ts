// The profiles the controller knows, parsed and compiled once per change (not once per reconcile), with
// the cluster facts some of them need (the API server's endpoints for spec.apiServer).
import { segmentationProfileSchema, type SegmentationProfile } from '../api/profile.js';
import { compileProfile, type ClusterFacts } from '../compile/render.js';
import { profileWarnings, type ProfileWarning } from '../compile/warnings.js';
import type { ProfileObject } from '../kube/api.js';
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
}

export function understandProfile(raw: ProfileObject, facts: ClusterFacts = {}): KnownProfile {
  const name = raw.metadata?.name ?? '';
  const base = { name, uid: raw.metadata?.uid ?? '', generation: raw.metadata?.generation ?? 0 };
  const parsed = segmentationProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { raw, view: { ...base, mode: 'Enforce' }, errors, warnings: [] };
  }
  const warnings = profileWarnings(parsed.data);
  const compiled = compileProfile(parsed.data, facts);
  if (!compiled.ok) return { raw, view: { ...base, mode: parsed.data.spec.mode }, parsed: parsed.data, errors: compiled.errors, warnings };
  return { raw, view: { ...base, mode: parsed.data.spec.mode, compiled: compiled.compiled }, parsed: parsed.data, errors: [], warnings };
}

/** Whether a profile's compiled form depends on the API server's endpoints. */
export function needsApiServer(profile: KnownProfile): boolean {
  return profile.parsed?.spec.apiServer !== undefined;
}

export class ProfileRegistry {
  private readonly byName = new Map<string, KnownProfile>();
  private facts: ClusterFacts = {};

  set(raw: ProfileObject): { before?: KnownProfile; after: KnownProfile } {
    const after = understandProfile(raw, this.facts);
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
      const after = understandProfile(before.raw, facts);
      this.byName.set(name, after);
      changed.push({ before, after });
    }
    return changed;
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
