// Reading the objects the analysis commands need from a live cluster, through the one Kubernetes client
// (KubeClient, listAll): objects arrive in their wire form (`from`, as in files and render() output), and
// a failed list is a KubeApiError with its HTTP status, on which callers decide (never on message text).
// The commands take a ClusterReader so tests can pass one of their own.
import type { V1DaemonSet, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { PolicyObject } from '../api/networkpolicy.js';
import { listAll, NAMESPACES_PATH } from './api.js';
import { KubeClient } from './client.js';
import { ALL_DAEMON_SETS_PATH, ALL_NETWORK_POLICIES_PATH, NODES_PATH } from './cluster-scan.js';
import { loadKubeConfig } from './config.js';
import { failureReason, isNotFound } from './errors.js';
import { CRDS_PATH, GUARDRAIL_KINDS, guardrailCollectionPath, type CrdWire, type GuardrailKind } from './guardrail-api.js';

export interface ClusterReader {
  /** Where the objects come from, for messages (the kubeconfig path or `default kubeconfig`). */
  readonly description: string;
  namespaces(): Promise<V1Namespace[]>;
  pods(): Promise<V1Pod[]>;
  networkPolicies(): Promise<PolicyObject[]>;
  daemonSets(): Promise<V1DaemonSet[]>;
  nodes(): Promise<V1Node[]>;
  /** CustomResourceDefinitions (which guardrail APIs are served). */
  crds(): Promise<CrdWire[]>;
  /** Every guardrail object of the kinds the cluster serves, each with its apiVersion and kind. */
  guardrails(): Promise<GuardrailWire[]>;
}

/** Reading one guardrail kind failed (discovery or list): names the kind; the API error is the cause. */
export class GuardrailReadError extends Error {
  constructor(
    readonly guardrailKind: GuardrailKind,
    cause: unknown,
  ) {
    super(`${guardrailKind.plural}.${guardrailKind.apiVersion.split('/')[0]} (${guardrailKind.apiVersion}): ${failureReason(cause)}`, { cause });
  }
}

export interface GuardrailWire {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
  [field: string]: unknown;
}

/**
 * Whether the API server serves `k`, by discovery (GET /apis/<group>/<version>): a CRD and an aggregated
 * API (Calico's API server serves projectcalico.org/v3 that way) both show there; 404 when neither does.
 */
async function served(client: KubeClient, k: GuardrailKind): Promise<boolean> {
  try {
    const list = await client.request<{ resources?: { name: string }[] }>('GET', `/apis/${k.apiVersion}`);
    return (list.resources ?? []).some((r) => r.name === k.plural);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * A reader for the cluster in `kubeconfigPath`, or the default kubeconfig (KUBECONFIG, ~/.kube/config,
 * in-cluster). Throws KubeconfigError when the kubeconfig cannot be loaded.
 */
export function connectCluster(kubeconfigPath: string | undefined): ClusterReader {
  const client = new KubeClient(loadKubeConfig(kubeconfigPath, '--kubeconfig'));
  const list = async <T>(path: string): Promise<T[]> => (await listAll<T>(client, path)).items;
  return {
    description: kubeconfigPath ?? 'default kubeconfig',
    namespaces: () => list<V1Namespace>(NAMESPACES_PATH),
    pods: () => list<V1Pod>('/api/v1/pods'),
    networkPolicies: () => list<PolicyObject>(ALL_NETWORK_POLICIES_PATH),
    daemonSets: () => list<V1DaemonSet>(ALL_DAEMON_SETS_PATH),
    nodes: () => list<V1Node>(NODES_PATH),
    crds: () => list<CrdWire>(CRDS_PATH),
    guardrails: async () => {
      const out: GuardrailWire[] = [];
      for (const k of GUARDRAIL_KINDS) {
        try {
          if (!(await served(client, k))) continue;
          // List items carry no apiVersion or kind.
          for (const o of await list<GuardrailWire>(guardrailCollectionPath(k))) out.push({ ...o, apiVersion: k.apiVersion, kind: k.kind });
        } catch (err) {
          throw new GuardrailReadError(k, err);
        }
      }
      return out;
    },
  };
}
