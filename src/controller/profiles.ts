// The profiles the controller knows, parsed and compiled once per change (not once per reconcile).
import { segmentationProfileSchema, type SegmentationProfile } from '../api/profile.js';
import { compileProfile } from '../compile/render.js';
import type { ProfileObject } from '../kube/api.js';
import type { ProfileView } from './plan.js';

export interface KnownProfile {
  raw: ProfileObject;
  view: ProfileView;
  /** Parsed (defaults filled) when the schema accepted it. */
  parsed?: SegmentationProfile;
  /** Schema or compile errors; empty when valid. */
  errors: string[];
}

export function understandProfile(raw: ProfileObject): KnownProfile {
  const name = raw.metadata?.name ?? '';
  const base = { name, uid: raw.metadata?.uid ?? '', generation: raw.metadata?.generation ?? 0 };
  const parsed = segmentationProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { raw, view: { ...base, mode: 'Enforce' }, errors };
  }
  const compiled = compileProfile(parsed.data);
  if (!compiled.ok) return { raw, view: { ...base, mode: parsed.data.spec.mode }, parsed: parsed.data, errors: compiled.errors };
  return { raw, view: { ...base, mode: parsed.data.spec.mode, compiled: compiled.compiled }, parsed: parsed.data, errors: [] };
}

export class ProfileRegistry {
  private readonly byName = new Map<string, KnownProfile>();

  set(raw: ProfileObject): { before?: KnownProfile; after: KnownProfile } {
    const after = understandProfile(raw);
    const before = this.byName.get(after.view.name);
    this.byName.set(after.view.name, after);
    return before ? { before, after } : { after };
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
