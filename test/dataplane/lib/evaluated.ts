// What the product's evaluator (src/analysis) says about the same cells, given the pods,
// namespaces and NetworkPolicies read back from the API server (what the operator wrote).
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { parseIp } from '../../../src/analysis/cidr.js';
import { evaluateConnection } from '../../../src/analysis/evaluate.js';
import { buildClusterModel, type ClusterModel, type Endpoint as ModelEndpoint } from '../../../src/analysis/model.js';
import type { PolicyObject } from '../../../src/api/networkpolicy.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { cellKey, type Cell } from './measure.js';
import type { Endpoint } from './topology.js';

export interface ReadBack {
  model: ClusterModel;
  policies: PolicyObject[];
}

/** Reads the namespaces, their pods and their NetworkPolicies from the API server. */
export async function readBack(api: KubeClient, namespaces: readonly string[], ipBlockMatchesPodIps: boolean): Promise<ReadBack> {
  const nsObjects: V1Namespace[] = [];
  const pods: V1Pod[] = [];
  const policies: PolicyObject[] = [];
  for (const ns of namespaces) {
    nsObjects.push(await api.request<V1Namespace>('GET', `/api/v1/namespaces/${ns}`));
    pods.push(...(await api.request<{ items: V1Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items);
    policies.push(...(await api.request<{ items: PolicyObject[] }>('GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`)).items);
  }
  const model = { ...buildClusterModel({ namespaces: nsObjects, pods, policies }), ipBlockMatchesPodIps };
  return { model, policies };
}

function toModel(model: ClusterModel, e: Endpoint): ModelEndpoint {
  if (e.kind === 'host') return { kind: 'ip', ip: parseIp(e.ip)! };
  const pod = model.pods.find((p) => `${p.namespace}/${p.name}` === e.id);
  if (!pod) throw new Error(`pod ${e.id} is not in the API server's pod list`);
  return { kind: 'pod', pod };
}

/** cellKey -> the evaluator's verdict. */
export function evaluateCells(model: ClusterModel, cells: readonly Cell[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const c of cells) out.set(cellKey(c), evaluateConnection(model, toModel(model, c.from), toModel(model, c.to), { port: c.port, protocol: c.protocol }).allowed);
  return out;
}
