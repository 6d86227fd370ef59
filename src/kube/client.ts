// The one place that sends requests to the API server. Plain JSON over client-node's authenticated
// transport (the same one its Watch uses), so objects stay in their wire form (`from`, not `_from`),
// every request passes one token bucket, and every write is counted by resource and verb.
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';
import { KubeApiError } from './errors.js';
import { TokenBucket } from './ratelimit.js';

export interface ClientOptions {
  qps?: number;
  burst?: number;
  /** Called after every successful write: resource (plural) and verb. */
  onWrite?: (resource: string, verb: WriteVerb) => void;
  /** Called after every request with its outcome, for metrics. */
  onRequest?: (method: string, code: number, seconds: number) => void;
}

export type WriteVerb = 'create' | 'apply' | 'patch' | 'update' | 'delete';

/** Counts writes the process made, by `resource/verb`. Cheap to read in-process (tests, benchmark). */
export class WriteCounter {
  private readonly counts = new Map<string, number>();

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
}

const AUTH_TTL_MS = 60_000;

export class KubeClient {
  readonly writes = new WriteCounter();
  private readonly bucket: TokenBucket;
  private readonly server: string;
  private auth?: { headers: Record<string, string>; dispatcher: Dispatcher | undefined; at: number };

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly opts: ClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
    this.bucket = new TokenBucket({ qps: opts.qps ?? 500, burst: opts.burst ?? 1000 });
  }

  /** Headers and TLS dispatcher from the kubeconfig; refreshed every minute (token files rotate). */
  private async authentication(url: string): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    if (this.auth && Date.now() - this.auth.at < AUTH_TTL_MS) return this.auth;
    const ctx = new RequestContext(url, HttpMethod.GET);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    this.auth = { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() as Dispatcher | undefined, at: Date.now() };
    return this.auth;
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.bucket.take();
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const { headers, dispatcher } = await this.authentication(url.toString());
    const started = performance.now();
    const init: Parameters<typeof fetch>[1] = {
      method,
      headers: { ...headers, Accept: 'application/json', ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}) },
      ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
      ...(dispatcher ? { dispatcher } : {}),
    };
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, init);
    } catch (err) {
      this.opts.onRequest?.(method, 0, (performance.now() - started) / 1000);
      throw err;
    }
    const text = await res.text();
    this.opts.onRequest?.(method, res.status, (performance.now() - started) / 1000);
    if (res.status >= 400) {
      let reason = res.statusText || 'Error';
      let message = text.slice(0, 500);
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        if (status.reason) reason = status.reason;
        if (status.message) message = status.message;
      } catch {
        // not a metav1.Status
      }
      throw new KubeApiError(res.status, reason, message, method, path);
    }
    if (opts.write) {
      this.writes.record(opts.write.resource, opts.write.verb);
      this.opts.onWrite?.(opts.write.resource, opts.write.verb);
    }
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }
}
