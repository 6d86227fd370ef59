// Writes in flight, like client-go's ControllerExpectations: our own writes that the policy cache has not
// shown yet (object = created/applied, null = deleted). A reconcile that runs before the watch event
// arrives sees them overlaid on the cache and does not redo them; the watch event that merely echoes our own
// write says nothing new and triggers no reconcile. Forgotten at the next event for the object, or after a
// TTL (an event that never comes). Time is the injected Clock.
import { compactPolicy } from '../kube/api.js';
import { realClock, type Clock } from './clock.js';
import type { ObservedPolicy } from './compare.js';

export const EXPECTATION_TTL_MS = 30_000;

/**
 * Orders two resourceVersions when both are decimal integers (etcd revisions, as every API server in
 * practice serves); undefined when they cannot be compared, which callers treat as "newer".
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Expectations {
  private readonly byNamespace = new Map<string, Map<string, { obj: ObservedPolicy | null; at: number }>>();
  private readonly clock: Clock;

  constructor(opts: { clock?: Clock; ttlMs?: number } = {}, private readonly ttlMs = opts.ttlMs ?? EXPECTATION_TTL_MS) {
    this.clock = opts.clock ?? realClock();
  }

  /** We wrote this object (null: deleted it). */
  wrote(namespace: string, name: string, obj: ObservedPolicy | null): void {
    let m = this.byNamespace.get(namespace);
    if (!m) this.byNamespace.set(namespace, (m = new Map()));
    m.set(name, { obj: obj && compactPolicy(obj), at: this.clock.now() });
  }

  /** Forget every expectation of a namespace (gone). */
  forgetNamespace(namespace: string): void {
    this.byNamespace.delete(namespace);
  }

  /**
   * The informer saw an event for this policy: the cache is now at least as new as our write. Returns true
   * when the event is only the echo of our own write (same resourceVersion, an older one, or the delete we
   * made), which tells the reconciler nothing new.
   */
  observed(namespace: string, name: string, obj: ObservedPolicy | null): boolean {
    const m = this.byNamespace.get(namespace);
    const mine = m?.get(name);
    if (!m || !mine) return false;
    const forget = () => {
      m.delete(name);
      if (m.size === 0) this.byNamespace.delete(namespace);
    };
    if (mine.obj === null) {
      forget();
      return obj === null;
    }
    const order = obj === null ? undefined : compareResourceVersions(obj.metadata.resourceVersion, mine.obj.metadata.resourceVersion);
    if (order === 0) {
      forget();
      return true;
    }
    // An event older than our write (e.g. from an intermediate step) says nothing new: keep waiting.
    if (order !== undefined && order < 0) return true;
    forget();
    return false;
  }

  /** The cached policies of a namespace overlaid with our writes the cache has not shown yet. */
  overlay(namespace: string, cached: ObservedPolicy[]): ObservedPolicy[] {
    const m = this.byNamespace.get(namespace);
    if (!m) return cached;
    const now = this.clock.now();
    const byName = new Map(cached.map((p) => [p.metadata.name!, p]));
    for (const [name, { obj, at }] of m) {
      if (now - at > this.ttlMs) {
        m.delete(name);
        continue;
      }
      if (obj) byName.set(name, obj);
      else byName.delete(name);
    }
    if (m.size === 0) this.byNamespace.delete(namespace);
    return [...byName.values()];
  }
}
