// The periodic cluster scan behind the profile finding conditions: every NetworkPolicy (ours and
// anyone's: any of them can reopen the metadata endpoint), the DaemonSets and the Nodes (which engine, if
// any, enforces NetworkPolicies). Plain paginated lists; each part fails on its own with a reason.
import type { V1DaemonSet, V1Node } from '@kubernetes/client-node';
import type { NetworkPolicy } from '../api/networkpolicy.js';
import { listAll } from './api.js';
import type { KubeClient } from './client.js';
import { Interner } from './intern.js';

export const ALL_NETWORK_POLICIES_PATH = '/apis/networking.k8s.io/v1/networkpolicies';
export const ALL_DAEMON_SETS_PATH = '/apis/apps/v1/daemonsets';
export const NODES_PATH = '/api/v1/nodes';

const list = async <T>(client: KubeClient, path: string, map?: (item: T) => T): Promise<T[]> => (await listAll<T>(client, path, map ? { map } : {})).items;

/**
 * What the findings read, page by page: tens of thousands of policies and Nodes must not be held whole
 * (managedFields, Node images and conditions) during a scan. Generated policies share their spec.
 */
function compactScannedPolicy(interner: Interner): (p: NetworkPolicy) => NetworkPolicy {
  return (p) => ({
    ...(p.apiVersion ? { apiVersion: p.apiVersion } : {}),
    ...(p.kind ? { kind: p.kind } : {}),
    metadata: { name: p.metadata?.name, namespace: interner.string(p.metadata?.namespace), ...(p.metadata?.labels ? { labels: interner.intern(p.metadata.labels) } : {}) },
    spec: interner.intern(p.spec),
  }) as NetworkPolicy;
}

const compactNode = (n: V1Node): V1Node => ({ metadata: { name: n.metadata?.name, ...(n.metadata?.labels ? { labels: n.metadata.labels } : {}) }, status: { addresses: n.status?.addresses ?? [] } });

export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

async function part<T>(what: string, load: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (err) {
    return { ok: false, error: `listing ${what} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface ClusterScan {
  policies: Part<NetworkPolicy[]>;
  workloads: Part<{ daemonSets: V1DaemonSet[]; nodes: V1Node[] }>;
}

export async function scanCluster(client: KubeClient): Promise<ClusterScan> {
  const [policies, workloads] = await Promise.all([
    part('NetworkPolicies', () => list<NetworkPolicy>(client, ALL_NETWORK_POLICIES_PATH, compactScannedPolicy(new Interner()))),
    part('DaemonSets and Nodes', async () => {
      const [daemonSets, nodes] = await Promise.all([list<V1DaemonSet>(client, ALL_DAEMON_SETS_PATH), list<V1Node>(client, NODES_PATH, compactNode)]);
      return { daemonSets, nodes };
    }),
  ]);
  return { policies, workloads };
}
