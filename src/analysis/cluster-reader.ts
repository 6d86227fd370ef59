// Reading the objects the analysis needs from a live cluster. The only module in src/analysis that
// does I/O; the commands take a ClusterReader so tests can pass a fake one.
import { AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1DaemonSet, V1Namespace, V1NetworkPolicy, V1Node, V1Pod } from '@kubernetes/client-node';
import type { PolicyObject } from './policy-object.js';

export interface ClusterReader {
  /** Where the objects come from, for messages (the kubeconfig path or `default kubeconfig`). */
  readonly description: string;
  namespaces(): Promise<V1Namespace[]>;
  pods(): Promise<V1Pod[]>;
  /** In the wire form (`from`), like files and render() output. */
  networkPolicies(): Promise<PolicyObject[]>;
  daemonSets(): Promise<V1DaemonSet[]>;
  nodes(): Promise<V1Node[]>;
}

/** A failed list call, with the HTTP status when the API server answered. */
export class ClusterReadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClusterReadError';
  }
}

type Page<T> = { items: T[]; metadata?: { _continue?: string } };

async function listAll<T>(what: string, call: (cont: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cont: string | undefined;
  do {
    let page: Page<T>;
    try {
      page = await call(cont);
    } catch (err) {
      const status = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : undefined;
      const reason = status === undefined ? ((err as Error).message ?? String(err)).split('\n')[0] : `HTTP ${status}`;
      throw new ClusterReadError(`cannot list ${what}: ${reason}`, status);
    }
    out.push(...page.items);
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return out;
}

/** client-node models call the ingress peers `_from`; the analysis reads the wire name `from`. */
export function toWirePolicy(policy: V1NetworkPolicy): PolicyObject {
  const spec = policy.spec;
  return {
    metadata: { ...(policy.metadata?.name ? { name: policy.metadata.name } : {}), ...(policy.metadata?.namespace ? { namespace: policy.metadata.namespace } : {}) },
    spec: {
      ...(spec?.podSelector ? { podSelector: spec.podSelector } : {}),
      ...(spec?.policyTypes ? { policyTypes: spec.policyTypes } : {}),
      ...(spec?.ingress ? { ingress: spec.ingress.map((r) => ({ ...(r._from ? { from: r._from } : {}), ...(r.ports ? { ports: r.ports } : {}) })) } : {}),
      ...(spec?.egress ? { egress: spec.egress.map((r) => ({ ...(r.to ? { to: r.to } : {}), ...(r.ports ? { ports: r.ports } : {}) })) } : {}),
    },
  };
}

const LIMIT = 500;

/** A reader for the cluster in `kubeconfigPath`, or the default kubeconfig (KUBECONFIG, ~/.kube/config, in-cluster). */
export function connectCluster(kubeconfigPath: string | undefined): ClusterReader {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromDefault();
  } catch (err) {
    throw new ClusterReadError(`cannot load kubeconfig ${kubeconfigPath ?? '(default)'}: ${((err as Error).message ?? String(err)).split('\n')[0]}`);
  }
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const page = (cont: string | undefined) => ({ limit: LIMIT, ...(cont ? { _continue: cont } : {}) });
  return {
    description: kubeconfigPath ?? 'default kubeconfig',
    namespaces: () => listAll('namespaces', (c) => core.listNamespace(page(c))),
    pods: () => listAll('pods', (c) => core.listPodForAllNamespaces(page(c))),
    networkPolicies: async () => (await listAll('networkpolicies', (c) => net.listNetworkPolicyForAllNamespaces(page(c)))).map(toWirePolicy),
    daemonSets: () => listAll('daemonsets', (c) => apps.listDaemonSetForAllNamespaces(page(c))),
    nodes: () => listAll('nodes', (c) => core.listNode(page(c))),
  };
}
