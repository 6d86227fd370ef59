// Shared inputs of the console tests: small objects in the wire form the server sends the browser.
import type { NamespaceEntry, PolicyEntry, ProfileEntry } from '../../src/console/view/snapshot.js';
import type { V1Pod } from '@kubernetes/client-node';

export const API = { apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile' } as const;

export function profileDoc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { ...API, metadata: { name }, spec };
}

export function profileEntry(name: string, spec: Record<string, unknown>, extra: Partial<ProfileEntry> = {}): ProfileEntry {
  return { ...API, metadata: { name }, spec, managers: [], ...extra };
}

export function ns(name: string, labels: Record<string, string> = {}): NamespaceEntry {
  return { name, labels, terminating: false };
}

export function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, ports: number[] = []): V1Pod {
  return {
    metadata: { namespace, name, labels },
    spec: { containers: [{ name: 'c', ports: ports.map((containerPort) => ({ containerPort })) }] },
    status: { podIP: ip, podIPs: [{ ip }], phase: 'Running' },
  };
}

export function policy(namespace: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): PolicyEntry {
  return { metadata: { namespace, name, ...(labels ? { labels } : {}) }, spec };
}
