// The cluster-scoped guardrail kinds (docs/guardrails.md) as the kube layer sees them: where each is
// served, the CustomResourceDefinition that serves it, and the calls the guardrail controller makes
// (create, server-side apply, get on a name clash, delete with a uid precondition). Paths and the field
// manager live here and nowhere else.
import { GUARDRAIL_RESOURCES } from '../compile/guardrails/auto.js';
import { FIELD_MANAGER } from '../compile/labels.js';
import { compactMetadata, managedFieldsPatch } from './api.js';
import type { KubeClient } from './client.js';
import type { ManagedFieldsEntry, ObservedPolicy, OwnerReference } from './types.js';

export const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export interface GuardrailKind {
  kind: string;
  /** group/version, as in apiVersion. */
  apiVersion: string;
  /** `<plural>.<group>`: the CRD's name. */
  crd: string;
  plural: string;
}

/** Every kind the operator writes, with the CRD whose Established condition says it is served. */
export const GUARDRAIL_KINDS: readonly GuardrailKind[] = [
  { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', crd: GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies, plural: 'ciliumclusterwidenetworkpolicies' },
  { kind: 'ClusterNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha2', crd: GUARDRAIL_RESOURCES.clusterNetworkPolicies, plural: 'clusternetworkpolicies' },
  { kind: 'Tier', apiVersion: 'projectcalico.org/v3', crd: GUARDRAIL_RESOURCES.calicoTiers, plural: 'tiers' },
  { kind: 'GlobalNetworkPolicy', apiVersion: 'projectcalico.org/v3', crd: GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies, plural: 'globalnetworkpolicies' },
];

export function guardrailKind(kind: string): GuardrailKind | undefined {
  return GUARDRAIL_KINDS.find((k) => k.kind === kind);
}

export const guardrailCollectionPath = (k: GuardrailKind) => `/apis/${k.apiVersion}/${k.plural}`;
const objectPath = (k: GuardrailKind, name: string) => `${guardrailCollectionPath(k)}/${encodeURIComponent(name)}`;

/** A CRD as the operator keeps it: its name, whether it is Established and which versions it serves. */
export interface CrdObject {
  metadata?: { name?: string; resourceVersion?: string; uid?: string; deletionTimestamp?: string };
  established: boolean;
  served: string[];
}

export interface CrdWire {
  metadata?: CrdObject['metadata'];
  spec?: { versions?: { name: string; served?: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

export function compactCrd(obj: CrdWire): CrdObject {
  const m = obj.metadata ?? {};
  const metadata: NonNullable<CrdObject['metadata']> = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.deletionTimestamp !== undefined) metadata.deletionTimestamp = m.deletionTimestamp;
  return {
    metadata,
    established: obj.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
    served: (obj.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => v.name),
  };
}

/** A guardrail object as read from the API server (any kind). */
export interface ObservedGuardrail {
  apiVersion?: string;
  kind?: string;
  /** As a NetworkPolicy's, without a namespace: these objects are cluster-scoped. */
  metadata: Omit<ObservedPolicy['metadata'], 'namespace'>;
  spec?: unknown;
}

/** A guardrail object to write: the rendered object plus the ownerReferences we add. */
export interface DesiredGuardrail {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: OwnerReference[] };
  spec: object;
}

/** Cache transform: list items carry no kind, so it is set from the informer's kind; metadata as for policies (compactMetadata). */
export function compactGuardrail(k: GuardrailKind): (obj: ObservedGuardrail) => ObservedGuardrail {
  return (obj) => ({ apiVersion: k.apiVersion, kind: k.kind, metadata: compactMetadata(obj.metadata), ...(obj.spec !== undefined ? { spec: obj.spec } : {}) });
}

function kindOf(kind: string | undefined): GuardrailKind {
  const k = guardrailKind(kind ?? '');
  if (!k) throw new Error(`not a guardrail kind: ${kind}`);
  return k;
}

/** Creates a guardrail object. Fails with 409 AlreadyExists if the name is taken: it never adopts another's object. */
export function createGuardrail(client: KubeClient, obj: DesiredGuardrail): Promise<ObservedGuardrail> {
  const k = kindOf(obj.kind);
  return client.request('POST', guardrailCollectionPath(k), { query: { fieldManager: FIELD_MANAGER }, body: obj, write: { resource: k.plural, verb: 'create' } });
}

/** Server-side apply of a guardrail object we own (force: we are the one field manager of our objects). */
export function applyGuardrail(client: KubeClient, obj: DesiredGuardrail): Promise<ObservedGuardrail> {
  const k = kindOf(obj.kind);
  return client.request('PATCH', objectPath(k, obj.metadata.name), {
    query: { fieldManager: FIELD_MANAGER, force: true },
    body: obj,
    contentType: 'application/apply-patch+yaml',
    write: { resource: k.plural, verb: 'apply' },
  });
}

/** Replaces the managedFields of the exact version observed (see upgradedManagedFields: objects we created with POST). */
export function patchGuardrailManagedFields(client: KubeClient, kind: string, observed: ObservedGuardrail, managedFields: ManagedFieldsEntry[]): Promise<ObservedGuardrail> {
  const k = kindOf(kind);
  return client.request('PATCH', objectPath(k, observed.metadata.name ?? ''), {
    body: managedFieldsPatch(observed.metadata.resourceVersion, managedFields),
    contentType: 'application/json-patch+json',
    write: { resource: k.plural, verb: 'patch' },
  });
}

export function getGuardrail(client: KubeClient, kind: string, name: string): Promise<ObservedGuardrail> {
  return client.request('GET', objectPath(kindOf(kind), name));
}

/** Deletes the exact object we observed (uid precondition): never a same-named object someone else made. */
export function deleteGuardrail(client: KubeClient, observed: ObservedGuardrail): Promise<unknown> {
  const k = kindOf(observed.kind);
  return client.request('DELETE', objectPath(k, observed.metadata.name ?? ''), {
    body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: observed.metadata.uid } },
    write: { resource: k.plural, verb: 'delete' },
  });
}
