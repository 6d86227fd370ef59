// Objects cut down to what the console shows and evaluates, so a 2,000-namespace cluster's state stays
// a few MB on the wire: no managedFields (only their manager names), no pod specs beyond ports.
import type { V1Pod } from '@kubernetes/client-node';
import type { NamespaceEntry, PolicyEntry, ProfileEntry } from './view/snapshot.js';

type Meta = { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: unknown; generation?: number; resourceVersion?: string; managedFields?: Array<{ manager?: string }> };
type Obj = { apiVersion?: string; kind?: string; metadata?: Meta; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export function trimNamespace(o: Obj): NamespaceEntry {
  return { name: o.metadata?.name ?? '', labels: { ...(o.metadata?.labels ?? {}) }, terminating: o.metadata?.deletionTimestamp != null || o.status?.phase === 'Terminating' };
}

export function trimPolicy(o: Obj): PolicyEntry {
  const m = o.metadata ?? {};
  return { metadata: { name: m.name ?? '', namespace: m.namespace ?? 'default', ...optional('labels', m.labels), ...optional('annotations', m.annotations) }, spec: (o.spec ?? {}) as PolicyEntry['spec'] };
}

export function trimPod(o: Obj): V1Pod {
  const m = o.metadata ?? {};
  const spec = (o.spec ?? {}) as { hostNetwork?: boolean; containers?: Array<{ name?: string; ports?: unknown[] }>; initContainers?: Array<{ name?: string; ports?: unknown[] }> };
  const status = (o.status ?? {}) as { podIP?: string; podIPs?: unknown[]; phase?: string };
  const containers = (list: typeof spec.containers) => (list ?? []).map((c) => ({ name: c.name ?? '', ...optional('ports', c.ports) }));
  return {
    metadata: { name: m.name ?? '', namespace: m.namespace ?? 'default', ...optional('labels', m.labels) },
    spec: { ...optional('hostNetwork', spec.hostNetwork), containers: containers(spec.containers), ...(spec.initContainers ? { initContainers: containers(spec.initContainers) } : {}) },
    status: { ...optional('podIP', status.podIP), ...optional('podIPs', status.podIPs), ...optional('phase', status.phase) },
  } as V1Pod;
}

export function trimProfile(o: Obj, source?: string): ProfileEntry {
  const m = o.metadata ?? {};
  return {
    apiVersion: o.apiVersion ?? '',
    kind: o.kind ?? '',
    metadata: { name: m.name ?? '', ...optional('labels', m.labels), ...optional('annotations', m.annotations), ...optional('generation', m.generation), ...optional('resourceVersion', m.resourceVersion) },
    spec: o.spec,
    ...optional('status', o.status),
    managers: [...new Set((m.managedFields ?? []).flatMap((f) => (f.manager ? [f.manager] : [])))],
    ...optional('source', source),
  };
}
