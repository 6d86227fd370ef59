// Typed calls for the resources the operator reads and writes. Paths, content types and field manager
// live here and nowhere else.
import { API_SERVER_SERVICE } from '../api/apiserver-endpoints.js';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../api/profile.js';
import { FIELD_MANAGER, MANAGED_SELECTOR, SERVICE_NAME_LABEL } from '../compile/labels.js';
import type { DesiredPolicy, ManagedFieldsEntry, ObservedPolicy } from './types.js';
import type { KubeClient } from './client.js';
import type { Interner } from './intern.js';

export const NAMESPACES_PATH = '/api/v1/namespaces';
export const NETWORK_POLICIES_PATH = '/apis/networking.k8s.io/v1/networkpolicies';
export const PROFILES_PATH = `/apis/${GROUP}/${VERSION}/${PLURAL}`;
/** The EndpointSlices of the `kubernetes` Service (the API server's real addresses), in `default` only. */
export const API_SERVER_SLICES_PATH = `/apis/discovery.k8s.io/v1/namespaces/${API_SERVER_SERVICE.namespace}/endpointslices`;
export const API_SERVER_SLICES_SELECTOR = `${SERVICE_NAME_LABEL}=${API_SERVER_SERVICE.name}`;
export { MANAGED_SELECTOR };

export const policyPath = (namespace: string, name?: string) =>
  `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies${name ? `/${encodeURIComponent(name)}` : ''}`;

export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string>; deletionTimestamp?: string; resourceVersion?: string; uid?: string };
  status?: { phase?: string };
}

export interface ProfileObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string; [k: string]: unknown };
  spec?: unknown;
  status?: unknown;
}

/** An EndpointSlice (discovery.k8s.io/v1) as listed: items of a list carry no kind. */
export interface EndpointSliceWire {
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; labels?: Record<string, string> };
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean | null } }[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
}

/**
 * Cache transforms: keep what the controller reads. managedFields are most of an object's size; of them
 * only our own manager's entries matter (see upgradedManagedFields).
 */
export function compactPolicy(obj: ObservedPolicy, interner?: Interner): ObservedPolicy {
  const metadata = compactMetadata(obj.metadata, interner);
  return obj.spec === undefined ? { metadata } : { metadata, spec: interner ? interner.intern(obj.spec) : obj.spec };
}

/**
 * The metadata the controllers read of an object we write (a NetworkPolicy, a guardrail object). Generated
 * objects share their names, labels, annotations and owners across namespaces: an interner shares them.
 */
export function compactMetadata(m: ObservedPolicy['metadata'], interner?: Interner): ObservedPolicy['metadata'] {
  const intern = <T>(v: T): T => (interner ? interner.intern(v) : v);
  const metadata: ObservedPolicy['metadata'] = {};
  if (m.name !== undefined) metadata.name = interner?.string(m.name) ?? m.name;
  if (m.namespace !== undefined) metadata.namespace = interner?.string(m.namespace) ?? m.namespace;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.labels !== undefined) metadata.labels = intern(m.labels);
  if (m.annotations !== undefined) metadata.annotations = intern(m.annotations);
  if (m.ownerReferences !== undefined) metadata.ownerReferences = intern(m.ownerReferences);
  if (m.deletionTimestamp !== undefined) metadata.deletionTimestamp = m.deletionTimestamp;
  // Only whether our manager owns fields through Update matters (upgradedManagedFields); the full list
  // is read from the server before it is rewritten.
  const ours = (m.managedFields ?? []).filter((e) => e.manager === FIELD_MANAGER).map((e) => intern({ manager: e.manager, operation: e.operation, ...(e.subresource ? { subresource: e.subresource } : {}) }));
  if (ours.length > 0) metadata.managedFields = ours;
  return metadata;
}

export function compactNamespace(obj: NamespaceObject): NamespaceObject {
  const m = obj.metadata ?? {};
  const metadata: NonNullable<NamespaceObject['metadata']> = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.labels !== undefined) metadata.labels = m.labels;
  if (m.deletionTimestamp !== undefined) metadata.deletionTimestamp = m.deletionTimestamp;
  return obj.status?.phase ? { metadata, status: { phase: obj.status.phase } } : { metadata };
}

/** Keeps what apiServerEndpoints reads, with the kind that list items lack. */
export function compactEndpointSlice(obj: EndpointSliceWire): EndpointSliceWire {
  const m = obj.metadata ?? {};
  const metadata: NonNullable<EndpointSliceWire['metadata']> = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.labels !== undefined) metadata.labels = m.labels;
  return { kind: 'EndpointSlice', metadata, ...(obj.addressType ? { addressType: obj.addressType } : {}), endpoints: obj.endpoints ?? [], ports: obj.ports ?? [] };
}

export function compactProfile(obj: ProfileObject): ProfileObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  void _drop;
  return { ...obj, metadata };
}

/** Creates a policy. Fails with 409 AlreadyExists if the name is taken: it never adopts another's object. */
export function createPolicy(client: KubeClient, policy: DesiredPolicy): Promise<ObservedPolicy> {
  return client.request('POST', policyPath(policy.metadata.namespace), {
    query: { fieldManager: FIELD_MANAGER },
    body: policy,
    write: { resource: 'networkpolicies', verb: 'create' },
  });
}

/** Server-side apply of a policy we own (force: we are the one field manager of our objects). */
export function applyPolicy(client: KubeClient, policy: DesiredPolicy): Promise<ObservedPolicy> {
  return client.request('PATCH', policyPath(policy.metadata.namespace, policy.metadata.name), {
    query: { fieldManager: FIELD_MANAGER, force: true },
    body: policy,
    contentType: 'application/apply-patch+yaml',
    write: { resource: 'networkpolicies', verb: 'apply' },
  });
}

/**
 * Objects we created with POST are owned by our manager with operation Update; server-side apply would
 * never remove fields owned that way. Converting that entry to an Apply entry (what client-go's csaupgrade
 * does) lets later applies remove fields we stop setting. Returns undefined when nothing needs converting.
 */
export function upgradedManagedFields(entries: ManagedFieldsEntry[] | undefined): ManagedFieldsEntry[] | undefined {
  if (!entries) return undefined;
  const updateIdx = entries.findIndex((e) => e.manager === FIELD_MANAGER && e.operation === 'Update' && !e.subresource);
  if (updateIdx < 0) return undefined;
  const update = entries[updateIdx]!;
  const applyIdx = entries.findIndex((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply');
  const out = entries.filter((_, i) => i !== updateIdx && i !== applyIdx);
  const apply = applyIdx >= 0 ? entries[applyIdx]! : undefined;
  out.push({ ...update, operation: 'Apply', fieldsV1: mergeFields(apply?.fieldsV1 ?? {}, update.fieldsV1 ?? {}) });
  return out;
}

function mergeFields(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' ? mergeFields(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * Before a server-side apply of an object we may have created with POST: converts our Update entry (see
 * upgradedManagedFields) when the cached entries say there is one. The cache keeps only our entries, so the
 * whole list is read (`read`) before `write` replaces it.
 */
export async function convertManagedFields<T extends { metadata: { managedFields?: ManagedFieldsEntry[] } }>(
  cached: ManagedFieldsEntry[] | undefined,
  read: () => Promise<T>,
  write: (full: T, managedFields: ManagedFieldsEntry[]) => Promise<unknown>,
): Promise<void> {
  if (!upgradedManagedFields(cached)) return;
  const full = await read();
  const upgraded = upgradedManagedFields(full.metadata.managedFields);
  if (upgraded) await write(full, upgraded);
}

/** JSON patch replacing managedFields, guarded by resourceVersion (optimistic concurrency). */
export function managedFieldsPatch(resourceVersion: string | undefined, managedFields: ManagedFieldsEntry[]): object[] {
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'replace', path: '/metadata/managedFields', value: managedFields },
  ];
}

export function patchManagedFields(client: KubeClient, observed: ObservedPolicy, managedFields: ManagedFieldsEntry[]): Promise<ObservedPolicy> {
  return client.request('PATCH', policyPath(observed.metadata.namespace!, observed.metadata.name!), {
    body: managedFieldsPatch(observed.metadata.resourceVersion, managedFields),
    contentType: 'application/json-patch+json',
    write: { resource: 'networkpolicies', verb: 'patch' },
  });
}

export function getPolicy(client: KubeClient, namespace: string, name: string): Promise<ObservedPolicy> {
  return client.request('GET', policyPath(namespace, name));
}

/** Deletes the exact object we observed (uid precondition): never a same-named object someone else made. */
export function deletePolicy(client: KubeClient, observed: ObservedPolicy): Promise<unknown> {
  return client.request('DELETE', policyPath(observed.metadata.namespace!, observed.metadata.name!), {
    body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: observed.metadata.uid } },
    write: { resource: 'networkpolicies', verb: 'delete' },
  });
}

/**
 * Merge-patches the status subresource. Lists (conditions) are replaced whole; fields that `previous`
 * had and `status` drops are nulled so they disappear.
 */
export function patchProfileStatus(client: KubeClient, name: string, status: Record<string, unknown>, previous?: Record<string, unknown>): Promise<ProfileObject> {
  const body: Record<string, unknown> = { ...status };
  for (const key of Object.keys(previous ?? {})) if (!(key in body)) body[key] = null;
  return client.request('PATCH', `${PROFILES_PATH}/${encodeURIComponent(name)}/status`, {
    query: { fieldManager: FIELD_MANAGER },
    body: { apiVersion: API_VERSION, status: body },
    contentType: 'application/merge-patch+json',
    write: { resource: 'segmentationprofiles/status', verb: 'patch' },
  });
}

export interface ListOptions {
  query?: Record<string, string | undefined>;
  /** Items per page (limit/continue), so a large cluster is never one huge response. */
  pageSize?: number;
  /** Checked between pages: true stops listing early (the result is then incomplete). */
  stopped?: () => boolean;
}

/**
 * Lists every object at `path`, page by page; returns the items and the list's resourceVersion. `map`
 * applies to each item as its page arrives, so a large list is never held in its full wire form.
 */
export async function listAll<T, U = T>(client: KubeClient, path: string, opts: ListOptions & { map?: (item: T) => U } = {}): Promise<{ items: U[]; resourceVersion: string }> {
  const items: U[] = [];
  const map = opts.map ?? ((item: T) => item as unknown as U);
  let cont: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.request<{ items?: T[]; metadata?: { continue?: string; resourceVersion?: string } }>('GET', path, {
      query: { ...opts.query, limit: opts.pageSize ?? 500, continue: cont },
    });
    for (const item of page.items ?? []) items.push(map(item));
    cont = page.metadata?.continue || undefined;
    resourceVersion = page.metadata?.resourceVersion ?? '';
  } while (cont && !opts.stopped?.());
  return { items, resourceVersion };
}
