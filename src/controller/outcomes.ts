// Per profile, what the last reconcile of each namespace achieved: the input of status computation.
import type { NamespaceOutcome } from './status.js';

export class OutcomeStore {
  private readonly byProfile = new Map<string, Map<string, NamespaceOutcome>>();
  /** The profiles with an outcome in each namespace: usually one, so an array rather than a Set (10,000s of them). */
  private readonly byNamespace = new Map<string, string[]>();

  /** Replaces every outcome of `namespace`; returns the profiles whose outcomes changed. */
  setNamespace(namespace: string, outcomes: Map<string, NamespaceOutcome>): Set<string> {
    const touched = new Set<string>();
    const before = this.byNamespace.get(namespace) ?? [];
    for (const profile of before) {
      if (outcomes.has(profile)) continue;
      this.byProfile.get(profile)?.delete(namespace);
      touched.add(profile);
    }
    for (const [profile, outcome] of outcomes) {
      let m = this.byProfile.get(profile);
      if (!m) this.byProfile.set(profile, (m = new Map()));
      const prev = m.get(namespace);
      if (!prev || JSON.stringify(prev) !== JSON.stringify(outcome)) touched.add(profile);
      m.set(namespace, outcome);
    }
    if (outcomes.size === 0) this.byNamespace.delete(namespace);
    else this.byNamespace.set(namespace, [...outcomes.keys()]);
    return touched;
  }

  outcomes(profile: string): Map<string, NamespaceOutcome> {
    return this.byProfile.get(profile) ?? new Map();
  }

  dropProfile(profile: string): void {
    const m = this.byProfile.get(profile);
    this.byProfile.delete(profile);
    for (const ns of m?.keys() ?? []) {
      const left = (this.byNamespace.get(ns) ?? []).filter((p) => p !== profile);
      if (left.length > 0) this.byNamespace.set(ns, left);
      else this.byNamespace.delete(ns);
    }
  }
}
