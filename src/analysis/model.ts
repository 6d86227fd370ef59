// The evaluator's view of a cluster: namespaces, pods, NetworkPolicies and cluster-scoped guardrails,
// normalised once from client-node objects so that evaluation never has to deal with missing fields.
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { PolicyObject } from '../api/networkpolicy.js';
import type { GuardrailObject } from '../compile/guardrails/backend.js';
import { formatIp, parseIp, type IpAddress } from './cidr.js';
import { guardrailsOf, hasGuardrails, type Guardrails } from './guardrails/objects.js';
import { namespaceInfo, type Labels, type NamespaceInfo } from '../compile/select.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface ContainerPortInfo {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Labels;
  ips: IpAddress[];
  ports: ContainerPortInfo[];
  /** hostNetwork pods are not governed by NetworkPolicy. */
  hostNetwork: boolean;
  /** A pod described only by namespace and labels (`ns/app=web`), not read from any input. */
  hypothetical: boolean;
}

/** One end of a connection: a pod in the cluster, or an address outside it. */
export type Endpoint = { kind: 'pod'; pod: PodInfo } | { kind: 'ip'; ip: IpAddress };

export interface Traffic {
  port: number;
  protocol: Protocol;
}

export interface ClusterModel {
  namespaces: ReadonlyMap<string, NamespaceInfo>;
  pods: readonly PodInfo[];
  policies: readonly PolicyObject[];
  /**
   * How ipBlock peers treat pod IPs. Absent or false (the default, conservative reading): an ipBlock
   * never admits a pod, so "allowed" never over-claims whatever the engine. True: an ipBlock admits a
   * pod whose IP it contains, as engines that match on addresses do (kube-router, measured by
   * test/dataplane). See docs/dataplane.md.
   */
  ipBlockMatchesPodIps?: boolean;
  /**
   * Cluster-scoped guardrail objects (CiliumClusterwideNetworkPolicy, ClusterNetworkPolicy, Calico Tier and
   * GlobalNetworkPolicy), sorted by kind; absent when there are none. The evaluator applies them in the
   * engine's order around NetworkPolicy (src/analysis/guardrails/evaluate.ts).
   */
  guardrails?: Guardrails;
}

export function toProtocol(value: string | undefined): Protocol {
  const upper = (value ?? 'TCP').toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(upper) ? (upper as Protocol) : 'TCP';
}

export function podInfoFromV1(pod: V1Pod): PodInfo {
  const ipTexts = new Set<string>();
  for (const entry of pod.status?.podIPs ?? []) if (entry.ip) ipTexts.add(entry.ip);
  if (pod.status?.podIP) ipTexts.add(pod.status.podIP);
  const ips = [...ipTexts].map((t) => parseIp(t)).filter((ip): ip is IpAddress => ip !== undefined);
  const ports: ContainerPortInfo[] = [];
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of container.ports ?? []) {
      ports.push({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: toProtocol(p.protocol) });
    }
  }
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '(unnamed)',
    labels: { ...(pod.metadata?.labels ?? {}) },
    ips,
    ports,
    hostNetwork: pod.spec?.hostNetwork === true,
    hypothetical: false,
  };
}

export function hypotheticalPod(namespace: string, labels: Labels): PodInfo {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return { namespace, name: `{${text}}`, labels: { ...labels }, ips: [], ports: [], hostNetwork: false, hypothetical: true };
}

/**
 * Builds the model. Namespaces referenced by pods or policies but absent from `namespaces` are
 * added with only the `kubernetes.io/metadata.name` label, which the API server sets on every
 * namespace (and which is forced to the namespace's name here too).
 */
export function buildClusterModel(input: { policies: readonly PolicyObject[]; namespaces?: readonly V1Namespace[]; pods?: readonly V1Pod[]; guardrails?: readonly GuardrailObject[] }): ClusterModel {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const ns of input.namespaces ?? []) {
    const name = ns.metadata?.name;
    if (name) namespaces.set(name, namespaceInfo(name, ns.metadata?.labels ?? {}));
  }
  const pods = (input.pods ?? []).map(podInfoFromV1);
  const referenced = [...pods.map((p) => p.namespace), ...input.policies.map((p) => p.metadata?.namespace ?? 'default')];
  for (const name of referenced) if (!namespaces.has(name)) namespaces.set(name, namespaceInfo(name));
  const guardrails = guardrailsOf(input.guardrails ?? []);
  return { namespaces, pods, policies: input.policies, ...(hasGuardrails(guardrails) ? { guardrails } : {}) };
}

/** Labels of a namespace; an unknown namespace still carries its name label. */
export function namespaceLabels(model: ClusterModel, name: string): Labels {
  return model.namespaces.get(name)?.labels ?? namespaceInfo(name).labels;
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'ip' ? formatIp(endpoint.ip) : describePod(endpoint.pod);
}

export function describePod(pod: PodInfo): string {
  return `${pod.namespace}/${pod.name}`;
}

export function policyKey(policy: PolicyObject): string {
  return `${policy.metadata?.namespace ?? 'default'}/${policy.metadata?.name ?? '(unnamed)'}`;
}
