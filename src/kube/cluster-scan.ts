// The periodic cluster scan behind the profile finding conditions: every NetworkPolicy (ours and
// anyone's: any of them can reopen the metadata endpoint), the DaemonSets and the Nodes (which engine, if
// any, enforces NetworkPolicies). Plain paginated lists; each part fails on its own with a reason.
import type { V1DaemonSet, V1Node } from '@kubernetes/client-node';
import type { NetworkPolicy } from '../api/networkpolicy.js';
import type { KubeClient } from './client.js';

export const ALL_NETWORK_POLICIES_PATH = '/apis/networking.k8s.io/v1/networkpolicies';
export const ALL_DAEMON_SETS_PATH = '/apis/apps/v1/daemonsets';
export const NODES_PATH = '/api/v1/nodes';

const PAGE = 500;

/** Lists every object at `path`, page by page (limit/continue), so a large cluster is not one huge response. */
export async function listAll<T>(client: KubeClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await client.request<{ items?: T[]; metadata?: { continue?: string } }>('GET', path, { query: { limit: PAGE, continue: token } });
    items.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token);
  return items;
}

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
    part('NetworkPolicies', () => listAll<NetworkPolicy>(client, ALL_NETWORK_POLICIES_PATH)),
    part('DaemonSets and Nodes', async () => {
      const [daemonSets, nodes] = await Promise.all([listAll<V1DaemonSet>(client, ALL_DAEMON_SETS_PATH), listAll<V1Node>(client, NODES_PATH)]);
      return { daemonSets, nodes };
    }),
  ]);
  return { policies, workloads };
}
