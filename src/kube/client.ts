// The one place that sends requests to the API server. Plain JSON over our own transport (node:https,
// credentials from the kubeconfig), so objects stay in their wire form (`from`, not `_from`), every
// request passes one token bucket, and every write is counted by resource and verb.
import { boundedSignal } from './abort.js';
import { apiErrorFrom, RequestTimeoutError, WriteFencedError } from './errors.js';
import type { KubeConfigLike } from './kubeconfig.js';
import { TokenBucket } from './ratelimit.js';
import { Transport } from './transport.js';

export interface ClientOptions {
  qps?: number;
  burst?: number;
  /** Called after every successful write: resource (plural) and verb. */
  onWrite?: (resource: string, verb: WriteVerb) => void;
  /** Called after every request with its outcome, for metrics. */
  onRequest?: (method: string, code: number, seconds: number) => void;
  /** Default bound on one request, headers and body (node's HTTP client has none by itself). */
  requestTimeoutMs?: number;
}

export type WriteVerb = 'create' | 'apply' | 'patch' | 'update' | 'delete';

/** Counts writes the process made, by `resource/verb`. Cheap to read in-process (tests, benchmark). */
export class WriteCounter {
  private readonly counts = new Map<string, number>();
  private readonly attempts = new Map<string, number>();

  /** A write is about to be sent (it may still fail): when, by resource. */
  attempt(resource: string, at = Date.now()): void {
    this.attempts.set(resource, at);
  }

  /** The time the last write to one of `resources` (all when omitted) was sent; 0 when none was. */
  lastAttemptAt(resources?: readonly string[]): number {
    let last = 0;
    for (const [resource, at] of this.attempts) if (!resources || resources.includes(resource)) last = Math.max(last, at);
    return last;
  }

  record(resource: string, verb: WriteVerb): void {
    const key = `${resource}/${verb}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Writes to `resources` (all when omitted). */
  total(resources?: readonly string[]): number {
    let n = 0;
    for (const [key, v] of this.counts) if (!resources || resources.includes(key.slice(0, key.indexOf('/')))) n += v;
    return n;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  reset(): void {
    this.counts.clear();
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Marks the request as a write of this resource, for counting. */
  write?: { resource: string; verb: WriteVerb };
  /** A write that the write fence does not stop (the lease itself: a standby must be able to acquire it). */
  unfenced?: boolean;
  /** Bound on this request (default: the client's requestTimeoutMs). */
  timeoutMs?: number;
  /** Aborts the request (e.g. the renew deadline of a lease). */
  signal?: AbortSignal;
}

/**
 * Client-side limits: a guard against a runaway loop, not a throttle. On the 2-core benchmark machine the
 * API server's own ceiling was about 750 creates/s; a limit below that (500 at first) made the operator
 * slower than a raw client at 5,000+ namespaces. The API server's priority and fairness does the rest.
 */
export const DEFAULT_QPS = 1000;
export const DEFAULT_BURST = 2000;
/** No single request may hang longer than this (a partitioned TCP connection otherwise waits 300 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class KubeClient {
  readonly writes = new WriteCounter();
  readonly transport: Transport;
  private readonly bucket: TokenBucket;
  private fence?: AbortSignal;

  constructor(
    readonly kubeConfig: KubeConfigLike,
    private readonly opts: ClientOptions = {},
  ) {
    this.transport = new Transport(kubeConfig);
    this.bucket = new TokenBucket({ qps: opts.qps ?? DEFAULT_QPS, burst: opts.burst ?? DEFAULT_BURST });
  }

  /**
   * Fences writes: while `signal` is aborted every write (except `unfenced` ones) is refused before it is
   * sent, and aborting it cancels the writes in flight. The operator holds one per term of leadership, so a
   * leader that lost its lease stops writing at once, including requests that hang on a partition.
   * undefined: no fence.
   */
  setWriteFence(signal: AbortSignal | undefined): void {
    this.fence = signal;
  }

  /** The API server's URL for `path` and `query`. */
  url(path: string, query: Record<string, string | number | boolean | undefined> = {}): URL {
    const url = new URL(this.transport.server.href.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const fence = opts.write && !opts.unfenced ? this.fence : undefined;
    if (fence?.aborted) throw new WriteFencedError(method, path);
    await this.bucket.take();
    if (fence?.aborted) throw new WriteFencedError(method, path);
    const url = this.url(path, opts.query);
    const started = performance.now();
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const bound = boundedSignal(timeoutMs, [fence, opts.signal]);
    if (opts.write) this.writes.attempt(opts.write.resource);
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.transport.request(method, url, body, { accept: 'application/json', ...(body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {}) }, bound.signal));
    } catch (err) {
      this.opts.onRequest?.(method, 0, (performance.now() - started) / 1000);
      if (bound.timedOut()) throw new RequestTimeoutError(method, path, timeoutMs);
      if (fence?.aborted) throw new WriteFencedError(method, path);
      throw err;
    } finally {
      bound.release();
    }
    this.opts.onRequest?.(method, status, (performance.now() - started) / 1000);
    if (status >= 400) throw apiErrorFrom(status, text, method, path);
    if (opts.write) {
      this.writes.record(opts.write.resource, opts.write.verb);
      this.opts.onWrite?.(opts.write.resource, opts.write.verb);
    }
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }
}
