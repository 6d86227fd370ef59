// Server-side apply of manifest objects as `kubectl apply --server-side` does it, keeping the API server's
// Warning headers (PodSecurity `warn` mode, deprecations) so that tests can require a clean apply.
// Used by the integration tests; it talks to whatever server it is given.
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import type { K8sObject } from './load.js';

export interface ApiTarget {
  server: string;
  token: string;
  caPem: string;
}

export interface ApplyResult {
  object: K8sObject;
  /** Warning headers the API server returned. */
  warnings: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 600)}`);
  }

  /** The metav1.Status message (the raw body when it is not one). */
  get statusMessage(): string {
    try {
      return (JSON.parse(this.body) as { message?: string }).message ?? this.body;
    } catch {
      return this.body;
    }
  }
}

/** Plural resource and API path prefix of every kind the manifests use. */
const KINDS: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  SegmentationProfile: { plural: 'segmentationprofiles', namespaced: false },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  NetworkPolicy: { plural: 'networkpolicies', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  PodDisruptionBudget: { plural: 'poddisruptionbudgets', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
};

export function collectionPath(o: Pick<K8sObject, 'apiVersion' | 'kind'> & { metadata: { namespace?: string } }): string {
  const kind = KINDS[o.kind];
  if (!kind) throw new Error(`unknown kind ${o.kind}: add it to KINDS`);
  const prefix = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  if (kind.namespaced && !o.metadata.namespace) throw new Error(`${o.kind} needs a namespace`);
  return `${prefix}${kind.namespaced ? `/namespaces/${o.metadata.namespace}` : ''}/${kind.plural}`;
}

export function objectPath(o: K8sObject): string {
  return `${collectionPath(o)}/${encodeURIComponent(o.metadata.name)}`;
}

export class Api {
  private readonly dispatcher: Agent;

  constructor(private readonly target: ApiTarget) {
    this.dispatcher = new Agent({ connect: { ca: target.caPem } });
  }

  async call<T = unknown>(method: string, path: string, opts: { body?: unknown; contentType?: string; query?: Record<string, string> } = {}): Promise<{ body: T; warnings: string[]; status: number }> {
    const url = new URL(this.target.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        Authorization: `Bearer ${this.target.token}`,
        Accept: 'application/json',
        ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    const warnings = parseWarnings(res.headers.get('warning'));
    if (res.status >= 400) throw new ApiError(res.status, text, `${method} ${path}`);
    return { body: (text ? JSON.parse(text) : undefined) as T, warnings, status: res.status };
  }

  /** Server-side apply (JSON is YAML), forced, with strict field validation. */
  async apply(o: K8sObject, { fieldManager = 'kubectl', dryRun = false, force = true }: { fieldManager?: string; dryRun?: boolean; force?: boolean } = {}): Promise<ApplyResult> {
    const { body, warnings } = await this.call<K8sObject>('PATCH', objectPath(o), {
      body: o,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: String(force), fieldValidation: 'Strict', ...(dryRun ? { dryRun: 'All' } : {}) },
    });
    return { object: body, warnings };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** The texts of a Warning header (RFC 7234: `299 - "text", 299 - "text"`), unquoted. */
export function parseWarnings(header: string | null): string[] {
  const out: string[] = [];
  for (const m of (header ?? '').matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

/** Applies objects in order; once a CRD is applied, waits until it is Established before going on. */
export async function applyAll(api: Api, objects: K8sObject[], opts: { fieldManager?: string } = {}): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const o of objects) {
    results.push(await api.apply(o, opts));
    if (o.kind === 'CustomResourceDefinition') await waitEstablished(api, o.metadata.name);
  }
  return results;
}

async function waitEstablished(api: Api, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { body } = await api.call<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (body.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CRD ${name} not established`);
}

/** An Api for the admin user of a test control plane. */
export function adminApi(cp: { server: string; token: string; caCertPath: string }): Api {
  return new Api({ server: cp.server, token: cp.token, caPem: readFileSync(cp.caCertPath, 'utf8') });
}
