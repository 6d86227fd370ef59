// Small API helpers for the benchmark driver: raw text GETs (kube-apiserver /metrics), namespace
// creation, and a bounded-concurrency pool. All requests go through the project's KubeClient without
// a client-side rate limit (qps 0): the driver must never be the bottleneck it measures.
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';
import { NAMESPACES_PATH } from '../../src/kube/api.js';
import { KubeClient } from '../../src/kube/client.js';

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** A KubeClient without client-side rate limiting. */
export function unlimitedClient(kc: KubeConfig): KubeClient {
  return new KubeClient(kc, { qps: 0, burst: 1 });
}

/** GET returning the body as text (for endpoints that are not JSON, such as /metrics). */
export async function getText(kc: KubeConfig, path: string): Promise<string> {
  const server = kc.getCurrentCluster()?.server.replace(/\/$/, '');
  if (!server) throw new Error('kubeconfig has no current cluster');
  const url = `${server}${path}`;
  const ctx = new RequestContext(url, HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  const dispatcher = ctx.getDispatcher() as Dispatcher | undefined;
  const res = await fetch(url, { headers: ctx.getHeaders(), ...(dispatcher ? { dispatcher } : {}) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

export async function createNamespace(client: KubeClient, name: string, labels: Record<string, string>): Promise<void> {
  await client.request('POST', NAMESPACES_PATH, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; rejects on the first failure. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** Retries transient failures (connection resets, 429, 5xx) a few times: one hiccup must not void a run. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      const transient = code === undefined || code === 429 || code >= 500;
      if (!transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }
}
