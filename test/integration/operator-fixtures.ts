// Shared helpers of the operator integration tests (a module of its own, so that importing them does not
// also run the operator suite).
import { randomBytes } from 'node:crypto';
import { API_VERSION, KIND } from '../../src/api/profile.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/compile/labels.js';
import { render } from '../../src/compile/render.js';
import { segmentationProfileSchema, type SegmentationProfileInput } from '../../src/api/profile.js';
import { PROFILES_PATH } from '../../src/kube/api.js';
import { KubeClient } from '../../src/kube/client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { Operator, type OperatorOptions } from '../../src/controller/operator.js';
import { createLogger } from '../../src/controller/log.js';
import type { ObservedPolicy } from '../../src/controller/compare.js';
import { installCrd } from './crd-install.js';
import { kubeConfig } from './hooks.js';

export const POLICIES = (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;
const logLevel = (process.env.OPERATOR_TEST_LOG_LEVEL ?? 'error') as 'error';

let api: KubeClient;
const cleanups: (() => Promise<void>)[] = [];

export function testApi(): KubeClient {
  api ??= new KubeClient(kubeConfig(), { qps: 0 });
  return api;
}

/** Installs the CRD (as the manifests would) and waits until it is served. */
export function ensureCrd(): Promise<void> {
  return installCrd(kubeConfig());
}

export function uid(): string {
  return randomBytes(3).toString('hex');
}

export async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${uid()}`;
  await testApi().request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
  cleanups.push(async () => {
    await testApi().request('DELETE', `/api/v1/namespaces/${name}`).catch(() => {});
  });
  return name;
}

export async function labelNamespace(name: string, labels: Record<string, string | null>): Promise<void> {
  await testApi().request('PATCH', `/api/v1/namespaces/${name}`, { body: { metadata: { labels } }, contentType: 'application/merge-patch+json' });
}

export async function applyProfile(name: string, spec: SegmentationProfileInput['spec']): Promise<void> {
  const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec };
  await testApi().request('PATCH', `${PROFILES_PATH}/${name}`, { query: { fieldManager: 'operator-tests', force: true }, body, contentType: 'application/apply-patch+yaml' });
  if (!cleanups.some((c) => (c as { profile?: string }).profile === name)) {
    const cleanup = Object.assign(async () => deleteProfile(name), { profile: name });
    cleanups.push(cleanup);
  }
}

export async function deleteProfile(name: string): Promise<void> {
  try {
    await testApi().request('DELETE', `${PROFILES_PATH}/${name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function getProfile(name: string): Promise<{ metadata: { generation: number }; status?: Record<string, any> }> {
  return testApi().request('GET', `${PROFILES_PATH}/${name}`);
}

export async function policies(ns: string): Promise<ObservedPolicy[]> {
  const list = await testApi().request<{ items: ObservedPolicy[] }>('GET', POLICIES(ns));
  return list.items;
}

export async function policyNames(ns: string, managedOnly = true): Promise<string[]> {
  return (await policies(ns))
    .filter((p) => !managedOnly || p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
    .map((p) => p.metadata.name!)
    .sort();
}

/** The names the compiler says a namespace must have for a profile. */
export function expectedNames(profile: string, spec: SegmentationProfileInput['spec'], ns: string, labels: Record<string, string>): string[] {
  const parsed = segmentationProfileSchema.parse({ apiVersion: API_VERSION, kind: KIND, metadata: { name: profile }, spec });
  return render(parsed, { name: ns, labels: { ...labels, 'kubernetes.io/metadata.name': ns } })
    .map((p) => p.metadata.name)
    .sort();
}

/**
 * A profile for namespaces labelled `sel=on` with a Cilium guardrail. Egress is left open: with the
 * NetworkPolicy backend the metadata block is then a policy of its own (seg.<profile>.deny-metadata),
 * and with a cluster-scoped one there is none.
 */
export function ciliumGuardrailSpec(sel: string, extra: Partial<SegmentationProfileInput['spec']> = {}): SegmentationProfileInput['spec'] {
  return { namespaceSelector: { matchLabels: { [sel]: 'on' } }, defaultDeny: { ingress: true, egress: false }, guardrails: { backend: 'Cilium' }, ...extra };
}

export function newOperator(extra: Partial<OperatorOptions> = {}): Operator {
  return new Operator({
    kubeConfig: kubeConfig(),
    workers: 4,
    healthPort: 0,
    metricsPort: 0,
    resyncMs: 60_000,
    processMetrics: false,
    statusDebounceMs: 100,
    // The periodic cluster scan (finding conditions) is tested on its own; here it would make status depend
    // on when the last scan ran: a restart soon after changes rescans and rewrites those conditions.
    scanPeriodMs: 0,
    logger: createLogger(logLevel),
    ...extra,
  });
}

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

