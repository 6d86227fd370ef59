// The namespace work queue and its workers, per term of leadership: begin() queues every namespace and
// starts the workers, end() stops taking work and waits for the reconciles in flight. Outside a term,
// add() drops keys (a standby keeps its caches warm and queues everything when it takes over). The
// guardrail controller runs its profile keys on the same mechanics.
import type { BackoffOptions } from './backoff.js';
import { WorkQueue, runWorkers } from './queue.js';

export interface NamespaceWorkOptions {
  workers: number;
  backoff?: BackoffOptions;
  reconcile: (namespace: string) => Promise<{ requeue?: boolean } | void>;
  onError: (namespace: string, err: unknown, retries: number) => void;
}

export class NamespaceWork {
  private queue: WorkQueue<string>;
  private workersDone?: Promise<void>;
  private running = false;

  constructor(private readonly opts: NamespaceWorkOptions) {
    this.queue = this.newQueue();
  }

  private newQueue(): WorkQueue<string> {
    return new WorkQueue<string>(this.opts.backoff ? { backoff: this.opts.backoff } : {});
  }

  add(namespace: string | undefined): void {
    if (namespace && this.running) this.queue.add(namespace);
  }

  begin(namespaces: Iterable<string>): void {
    this.running = true;
    if (this.queue.isShuttingDown()) this.queue = this.newQueue();
    const queue = this.queue;
    for (const ns of namespaces) queue.add(ns);
    this.workersDone = runWorkers(queue, this.opts.workers, this.opts.reconcile, (ns, err) => this.opts.onError(ns, err, queue.retries(ns)));
  }

  /** Stops taking work; with drain, waits for the reconciles in flight. */
  async end(drain = true): Promise<void> {
    this.running = false;
    const shutDown = this.queue.shutDown();
    if (!drain) return;
    await shutDown;
    await this.workersDone;
  }

  get length(): number {
    return this.queue.length;
  }

  busy(): boolean {
    return this.queue.length > 0 || this.queue.processingCount > 0;
  }

  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }
}
