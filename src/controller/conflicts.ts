// Name clashes as a terminal condition (controller-runtime's TerminalError): a namespace whose desired
// policy name is taken by a NetworkPolicy we do not own is not retried on a timer. Instead the clashing
// names are watched, one field-selected watch per name, and the namespace is reconciled again the moment
// one of them changes or goes (deleted or renamed). Cost: one watch connection per open clash and nothing
// otherwise; above `max` open clashes the namespace falls back to retries with backoff.
import type { NameWatch } from '../kube/name-watch.js';

export interface ConflictWatchesOptions {
  /** Starts watching one name; `onChange` fires on any change of that object, or when it is absent. */
  watch: (namespace: string, name: string, onChange: () => void) => NameWatch;
  /** Reconcile the namespace again. */
  enqueue: (namespace: string) => void;
  onError?: (err: unknown) => void;
  /** Open clashes watched at most (default 200). */
  max?: number;
}

export class ConflictWatches {
  private readonly watches = new Map<string, Map<string, NameWatch>>();
  private count = 0;

  constructor(private readonly opts: ConflictWatchesOptions) {}

  /** Open clashes being watched. */
  get size(): number {
    return this.count;
  }

  names(namespace: string): string[] {
    return [...(this.watches.get(namespace)?.keys() ?? [])].sort();
  }

  /**
   * The clashes a reconcile of `namespace` found (none: every watch of it stops). Returns false when some
   * clash could not be watched (over the cap): the caller must then retry the namespace with backoff.
   */
  set(namespace: string, clashes: readonly string[]): boolean {
    const current = this.watches.get(namespace) ?? new Map<string, NameWatch>();
    const wanted = new Set(clashes);
    for (const [name, w] of current) {
      if (wanted.has(name)) continue;
      current.delete(name);
      this.count--;
      this.stopOne(w);
    }
    let all = true;
    for (const name of wanted) {
      if (current.has(name)) continue;
      if (this.count >= (this.opts.max ?? 200)) {
        all = false;
        continue;
      }
      // Any change enqueues (the queue deduplicates); the reconcile it triggers decides whether it remains.
      const w = this.opts.watch(namespace, name, () => this.opts.enqueue(namespace));
      current.set(name, w);
      this.count++;
      w.start().catch((err: unknown) => this.opts.onError?.(err));
    }
    if (current.size > 0) this.watches.set(namespace, current);
    else this.watches.delete(namespace);
    return all;
  }

  /** Stops every watch (leadership lost, shutdown). */
  async clear(): Promise<void> {
    const all = [...this.watches.values()].flatMap((m) => [...m.values()]);
    this.watches.clear();
    this.count = 0;
    await Promise.all(all.map((w) => w.stop().catch(() => {})));
  }

  private stopOne(w: NameWatch): void {
    w.stop().catch((err: unknown) => this.opts.onError?.(err));
  }
}
