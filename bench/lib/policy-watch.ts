// The benchmark's own view of the cluster: a list+watch on NetworkPolicies in a separate process and
// connection from the operator (never the operator's cache), recording when each policy was first
// seen. Scenarios wait on it for "every namespace in this set has these policies".
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { MANAGED_SELECTOR } from '../../src/compile/labels.js';
import { NETWORK_POLICIES_PATH } from '../../src/kube/api.js';
import type { KubeClient } from '../../src/kube/client.js';

interface PolicyMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

interface Expectation {
  remaining: Map<string, Set<string>>;
  doneAt: Map<string, number>;
  resolve: (doneAt: Map<string, number>) => void;
}

export class PolicyWatch {
  /** namespace -> policy name -> performance.now() when first seen. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly expectations = new Set<Expectation>();
  private resourceVersion = '';
  private controller?: AbortController;
  private stopped = false;
  private loop?: Promise<void>;
  events = 0;
  restarts = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly client: KubeClient,
    private readonly labelSelector = MANAGED_SELECTOR,
  ) {}

  /** Lists, then watches in the background; resolves once the watch is established. */
  async start(): Promise<void> {
    await this.list();
    let established!: () => void;
    const ready = new Promise<void>((r) => (established = r));
    this.loop = this.run(established);
    await ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.loop;
  }

  /** Policies seen so far in `namespace`. */
  names(namespace: string): string[] {
    return [...(this.seen.get(namespace)?.keys() ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const m of this.seen.values()) n += m.size;
    return n;
  }

  /**
   * Resolves when every namespace of `namespaces` has had each of `names` (or, with a function, the
   * names it returns for that namespace) visible at least once, with the time each namespace completed.
   */
  waitFor(namespaces: Iterable<string>, names: readonly string[] | ((ns: string) => readonly string[])): Promise<Map<string, number>> {
    return new Promise((resolve) => {
      const exp: Expectation = { remaining: new Map(), doneAt: new Map(), resolve };
      const now = performance.now();
      for (const ns of namespaces) {
        const want = new Set(typeof names === 'function' ? names(ns) : names);
        const have = this.seen.get(ns);
        let last = 0;
        for (const n of [...want]) {
          const at = have?.get(n);
          if (at !== undefined) {
            want.delete(n);
            last = Math.max(last, at);
          }
        }
        if (want.size === 0) exp.doneAt.set(ns, last || now);
        else exp.remaining.set(ns, want);
      }
      if (exp.remaining.size === 0) resolve(exp.doneAt);
      else this.expectations.add(exp);
    });
  }

  /** How many of the expected policies are still missing across all pending waits (for progress). */
  pending(): number {
    let n = 0;
    for (const e of this.expectations) for (const s of e.remaining.values()) n += s.size;
    return n;
  }

  private record(ns: string, name: string, at: number): void {
    let m = this.seen.get(ns);
    if (!m) this.seen.set(ns, (m = new Map()));
    if (m.has(name)) return;
    m.set(name, at);
    for (const exp of this.expectations) {
      const want = exp.remaining.get(ns);
      if (!want?.delete(name) || want.size > 0) continue;
      exp.remaining.delete(ns);
      exp.doneAt.set(ns, at);
      if (exp.remaining.size === 0) {
        this.expectations.delete(exp);
        exp.resolve(exp.doneAt);
      }
    }
  }

  private forget(ns: string, name: string): void {
    this.seen.get(ns)?.delete(name);
  }

  private async list(): Promise<void> {
    let cont: string | undefined;
    do {
      const page = await this.client.request<{ metadata?: { continue?: string; resourceVersion?: string }; items?: PolicyMeta[] }>('GET', NETWORK_POLICIES_PATH, {
        query: { labelSelector: this.labelSelector, limit: 1000, continue: cont },
      });
      const at = performance.now();
      for (const p of page.items ?? []) this.record(p.metadata?.namespace ?? '', p.metadata?.name ?? '', at);
      cont = page.metadata?.continue || undefined;
      this.resourceVersion = page.metadata?.resourceVersion ?? this.resourceVersion;
    } while (cont);
  }

  private async run(established: () => void): Promise<void> {
    const watch = new Watch(this.kc);
    while (!this.stopped) {
      let expired = false;
      const ended = new Promise<void>((resolve) => {
        watch
          .watch(
            NETWORK_POLICIES_PATH,
            { labelSelector: this.labelSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
            (type: string, obj: PolicyMeta & { code?: number }) => {
              const at = performance.now();
              if (type === 'ERROR') {
                if (obj.code === 410) expired = true;
                this.controller?.abort();
                return;
              }
              if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
              if (type === 'BOOKMARK') return;
              this.events++;
              const ns = obj.metadata?.namespace ?? '';
              const name = obj.metadata?.name ?? '';
              if (type === 'DELETED') this.forget(ns, name);
              else this.record(ns, name, at);
            },
            () => resolve(),
          )
          .then(
            (c) => {
              this.controller = c;
              established();
            },
            () => resolve(),
          );
      });
      await ended;
      if (this.stopped) break;
      this.restarts++;
      if (expired) await this.list().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
