// List-then-watch cache with the behaviour an operator needs and client-node's ListWatch lacks:
// - start() resolves only after a list really succeeded (ListWatch.start() also resolves when the
//   list failed, reporting it only through an error callback);
// - any watch or list error restarts it with exponential backoff instead of stopping (#364, #1496),
//   and restarts are counted (a storm of restarts, #1933, is therefore bounded and visible);
// - a periodic relist diffs against the cache and emits deletes missed while disconnected;
// - update handlers receive the old and the new object (ListWatch only passes the new one).
// Lists and watches go through the shared KubeClient (its transport, credentials and rate limit).
import { listAll } from './api.js';
import type { KubeClient } from './client.js';
import { isGone, statusCodeOf } from './errors.js';
import { watchStream } from './watch.js';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown };
}

export interface InformerHandlers<T> {
  add?: (obj: T) => void;
  update?: (oldObj: T, newObj: T) => void;
  delete?: (obj: T) => void;
}

export interface InformerOptions {
  /** For logs and metrics, e.g. "namespaces". */
  name: string;
  /** Collection path, e.g. /api/v1/namespaces. */
  path: string;
  labelSelector?: string;
  /** e.g. `metadata.name=x`: the server sends only the objects that match. */
  fieldSelector?: string;
  /** Full relist period (0 = never). */
  resyncMs?: number;
  /** Backoff after failures: base and max (ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  pageSize?: number;
  onRestart?: (informer: string, err: unknown) => void;
  /** Applied to every object before it is cached (e.g. to drop fields nobody reads, saving memory). */
  transform?: (obj: any) => any;
  onError?: (informer: string, err: unknown, phase: 'list' | 'watch') => void;
  /** An event handler threw (a bug): reported here, the informer carries on. */
  onHandlerError?: (informer: string, err: unknown) => void;
}

type Abortable = { abort(): void };

export class Informer<T extends KubeObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private needList = true;
  private stopped = true;
  private synced = false;
  private current?: Abortable;
  private relistRequested = false;
  private failures = 0;
  private resyncTimer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private wakeSleep?: () => void;
  private syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  restarts = 0;
  lastError?: unknown;

  constructor(
    private readonly client: KubeClient,
    readonly opts: InformerOptions,
  ) {}

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(name: string, namespace = ''): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  /** Cached objects, of one namespace when given. */
  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const m of this.byNamespace.values()) out.push(...m.values());
    return out;
  }

  namespaces(): string[] {
    return [...this.byNamespace.keys()];
  }

  get size(): number {
    let n = 0;
    for (const m of this.byNamespace.values()) n += m.size;
    return n;
  }

  /** Starts list+watch; resolves after the first successful list. Never rejects on API errors: it retries. */
  start(): Promise<void> {
    if (!this.stopped) return this.waitForSync();
    this.stopped = false;
    // Events were missed while stopped: a restart always relists (and diffs against the cache).
    this.needList = true;
    const synced = this.waitForSync();
    this.loop = this.run();
    if (this.opts.resyncMs && this.opts.resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.relist(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
    return synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  /** Forces a full list now (diffed against the cache), then resumes watching. */
  relist(): void {
    if (this.stopped) return;
    this.relistRequested = true;
    this.needList = true;
    this.current?.abort();
    this.wakeSleep?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.current?.abort();
    this.wakeSleep?.();
    for (const w of this.syncWaiters.splice(0)) w.reject(new Error(`informer ${this.opts.name} stopped before it synced`));
    await this.loop;
    this.synced = false;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.needList) await this.listAll();
        const started = Date.now();
        const events = await this.watchOnce();
        // A watch that ends by itself (server timeout, bookmark-less quiet period) is normal; one that ends
        // at once without events repeatedly is not, so it backs off like an error.
        if (events > 0 || Date.now() - started > 1_000 || this.relistRequested) this.failures = 0;
        else await this.backoff();
      } catch (err) {
        if (this.stopped) break;
        if (this.relistRequested) continue;
        if (isGone(err)) {
          this.needList = true;
          continue;
        }
        this.lastError = err;
        this.restarts++;
        this.opts.onRestart?.(this.opts.name, err);
        await this.backoff();
      } finally {
        this.relistRequested = false;
      }
    }
  }

  private async backoff(): Promise<void> {
    const base = this.opts.backoffBaseMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    const ms = Math.min(max, base * 2 ** Math.min(this.failures, 20)) * (1 + 0.2 * Math.random());
    this.failures++;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeSleep = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeSleep = undefined;
  }

  private async listAll(): Promise<void> {
    let items: T[];
    let rv: string;
    try {
      ({ items, resourceVersion: rv } = await listAll<T>(this.client, this.opts.path, {
        query: { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector },
        ...(this.opts.pageSize !== undefined ? { pageSize: this.opts.pageSize } : {}),
        ...(this.opts.transform ? { map: this.opts.transform as (item: T) => T } : {}),
        stopped: () => this.stopped,
      }));
    } catch (err) {
      this.opts.onError?.(this.opts.name, err, 'list');
      throw err;
    }
    if (this.stopped) return;
    this.replace(items);
    this.resourceVersion = rv;
    this.needList = false;
    this.failures = 0;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w.resolve();
    }
  }

  /** Replaces the cache with a full list, emitting add/update/delete for the differences. */
  private replace(items: T[]): void {
    const seen = new Map<string, Set<string>>();
    for (const obj of items) {
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata?.name ?? '';
      let names = seen.get(ns);
      if (!names) seen.set(ns, (names = new Set()));
      names.add(name);
      this.store(obj);
    }
    for (const [ns, objects] of [...this.byNamespace]) {
      const keep = seen.get(ns);
      for (const [name, obj] of [...objects]) if (!keep?.has(name)) this.remove(obj);
    }
  }

  /** A watch event's object: transformed, then stored (list items are transformed page by page). */
  private upsert(input: T): void {
    this.store((this.opts.transform ? this.opts.transform(input) : input) as T);
  }

  private store(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    let objects = this.byNamespace.get(ns);
    if (!objects) this.byNamespace.set(ns, (objects = new Map()));
    const old = objects.get(name);
    objects.set(name, obj);
    if (!old) this.emit((h) => h.add?.(obj));
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit((h) => h.update?.(old, obj));
  }

  private remove(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const objects = this.byNamespace.get(ns);
    const name = obj.metadata?.name ?? '';
    const old = objects?.get(name);
    if (!objects || !old) return;
    objects.delete(name);
    if (objects.size === 0) this.byNamespace.delete(ns);
    this.emit((h) => h.delete?.(old));
  }

  private emit(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (err) {
        // A handler bug must not stop the informer; it is reported, never swallowed.
        if (this.opts.onHandlerError) this.opts.onHandlerError(this.opts.name, err);
        else process.emitWarning(`informer ${this.opts.name}: event handler threw: ${String(err)}`);
      }
    }
  }

  /** One watch from the current resourceVersion; resolves with the number of events when it ends. */
  private watchOnce(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let events = 0;
      let finished = false;
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        this.current = undefined;
        if (err && !(err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) reject(err);
        else resolve(events);
      };
      // The server ends the watch (sending a bookmark first, so our resourceVersion stays fresh); jittered
      // so informers do not reconnect together.
      const query: Record<string, string | boolean | number> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 20 + Math.floor(Math.random() * 8) };
      if (this.opts.labelSelector) query.labelSelector = this.opts.labelSelector;
      if (this.opts.fieldSelector) query.fieldSelector = this.opts.fieldSelector;
      const onEvent = (type: string, obj: T & { code?: number }) => {
        if (finished) return;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
            this.upsert(obj);
            break;
          case 'DELETED':
            this.remove(obj);
            break;
          case 'BOOKMARK':
            break;
          case 'ERROR': {
            // A metav1.Status in the stream; 410 Expired means our resourceVersion is too old: relist.
            const code = obj.code ?? statusCodeOf(obj);
            if (code === 410) this.needList = true;
            const err = Object.assign(new Error(`watch ${this.opts.name}: ${JSON.stringify(obj).slice(0, 300)}`), { statusCode: code });
            this.current?.abort();
            finish(err);
            return;
          }
        }
        events++;
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      };
      const controller = new AbortController();
      this.current = controller;
      watchStream(this.client, this.opts.path, query, controller.signal, onEvent as (type: string, obj: unknown) => void).then(
        () => finish(null),
        (err: unknown) => {
          if (!finished && !controller.signal.aborted) this.opts.onError?.(this.opts.name, err, 'watch');
          finish(controller.signal.aborted ? null : err);
        },
      );
    });
  }
}
