// Enforcement preflight: is a NetworkPolicy engine running? Without one, NetworkPolicies are stored
// and do nothing. Recognises engines from their DaemonSets (name, labels, images, containers),
// from pods (when DaemonSets cannot be listed), and from AKS node labels.
import type { V1Container, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';

export interface DetectedEngine {
  /** Human name, e.g. `Calico`, `Cilium`, `Azure NPM`. */
  engine: string;
  /** Where it was seen, e.g. `DaemonSet calico-system/calico-node` or `node label kubernetes.azure.com/network-policy=azure (3 nodes)`. */
  source: string;
  /** false when installed but no pod is ready; undefined when unknown (no status, or a node label). */
  ready?: boolean;
  /** The engine's version from its image tag (`3.32.0` from `calico/node:v3.32.0`); absent when unknown. */
  version?: string;
}

export interface EnforcementFinding {
  enforced: boolean;
  engines: DetectedEngine[];
  /** Everything noticed, including non-enforcing CNIs and engines found but disabled or not ready. */
  evidence: string[];
  message: string;
}

export interface EnforcementInput {
  daemonSets: readonly V1DaemonSet[];
  nodes: readonly V1Node[];
  pods?: readonly V1Pod[];
}

/** AKS writes the cluster's `networkProfile.networkPolicy` on every node. */
export const AKS_NETWORK_POLICY_LABEL = 'kubernetes.azure.com/network-policy';
/** AKS "Azure CNI powered by Cilium" nodes; Cilium then enforces NetworkPolicy. */
export const AKS_EBPF_DATAPLANE_LABEL = 'kubernetes.azure.com/ebpf-dataplane';

interface Workload {
  kind: 'DaemonSet' | 'Pod';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: V1Container[];
  /** DaemonSet: ready/desired from status; Pod: phase Running. */
  ready?: boolean;
  readiness?: string;
}

interface Signature {
  engine: string;
  /** Exact workload names (DaemonSet name, or a pod's name prefix). */
  names: string[];
  images?: RegExp[];
  labels?: Array<[string, string]>;
  namespace?: string;
  /** Returns a reason when this install does not enforce NetworkPolicy. */
  disabled?: (w: Workload) => string | undefined;
  /** Required container (by name) for enforcement. */
  requiresContainer?: { name: string; image?: RegExp };
  /** The images whose tag is the engine's version (default: `images`). */
  versionImages?: RegExp[];
}

const hasArg = (w: Workload, arg: string) => w.containers.some((c) => [...(c.command ?? []), ...(c.args ?? [])].includes(arg));

/** Known engines. */
const SIGNATURES: Signature[] = [
  { engine: 'Canal (Calico policy)', names: ['canal'], versionImages: [/(^|\/)calico\/node(:|@|$)/] },
  { engine: 'Calico', names: ['calico-node'], images: [/(^|\/)calico\/node(:|@|$)/, /(^|\/)tigera\/cnx-node(:|@|$)/], labels: [['k8s-app', 'calico-node']] },
  { engine: 'Cilium', names: ['cilium', 'cilium-agent'], images: [/(^|\/)cilium\/cilium(:|@|$)/], labels: [['k8s-app', 'cilium']] },
  { engine: 'Cilium (GKE Dataplane V2)', names: ['anetd'] },
  { engine: 'Azure NPM', names: ['azure-npm', 'azure-npm-win'], images: [/(^|\/)azure-npm(:|@|$)/], labels: [['k8s-app', 'azure-npm']] },
  { engine: 'Antrea', names: ['antrea-agent'], images: [/(^|\/)antrea\/antrea-(ubuntu|agent-ubuntu)(:|@|$)/], labels: [['component', 'antrea-agent']] },
  {
    engine: 'kube-router',
    names: ['kube-router'],
    images: [/(^|\/)kube-router(:|@|$)/],
    disabled: (w) => (hasArg(w, '--run-firewall=false') ? 'runs with --run-firewall=false (network policy controller off)' : undefined),
  },
  { engine: 'Weave Net', names: ['weave-net'], images: [/(^|\/)weave-kube(:|@|$)/], requiresContainer: { name: 'weave-npc', image: /weave-npc/ } },
  { engine: 'Romana', names: ['romana-agent'], images: [/(^|\/)romana\/agent(:|@|$)/] },
  { engine: 'Kube-OVN', names: ['kube-ovn-cni'] },
  { engine: 'OVN-Kubernetes', names: ['ovnkube-node'] },
  { engine: 'OpenShift SDN', names: ['sdn'], namespace: 'openshift-sdn' },
  { engine: 'kube-network-policies', names: ['kube-network-policies'], images: [/(^|\/)kube-network-policies(:|@|$)/] },
  {
    engine: 'AWS VPC CNI network policy agent',
    names: ['aws-node'],
    requiresContainer: { name: 'aws-eks-nodeagent', image: /aws-network-policy-agent/ },
    disabled: (w) => {
      const agent = w.containers.find((c) => c.name === 'aws-eks-nodeagent' || /aws-network-policy-agent/.test(c.image ?? ''));
      return agent && !(agent.args ?? []).includes('--enable-network-policy=true') ? 'node agent runs without --enable-network-policy=true' : undefined;
    },
  },
];

/** CNIs that never enforce NetworkPolicy by themselves: worth saying when they are all there is. */
const NON_ENFORCING: Array<{ names: string[]; note: string }> = [
  { names: ['kube-flannel-ds', 'kube-flannel', 'flannel'], note: 'Flannel does not enforce NetworkPolicy by itself' },
  { names: ['kindnet'], note: 'kindnet enforces NetworkPolicy only in recent kind releases; not counted' },
];

function daemonSetWorkload(ds: V1DaemonSet): Workload {
  const desired = ds.status?.desiredNumberScheduled;
  const ready = ds.status?.numberReady;
  const known = ds.status !== undefined && desired !== undefined && ready !== undefined;
  return {
    kind: 'DaemonSet',
    namespace: ds.metadata?.namespace ?? 'default',
    name: ds.metadata?.name ?? '',
    labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), ...(ds.metadata?.labels ?? {}) },
    containers: [...(ds.spec?.template?.spec?.initContainers ?? []), ...(ds.spec?.template?.spec?.containers ?? [])],
    ...(known ? { ready: ready > 0, readiness: `${ready}/${desired} ready` } : {}),
  };
}

function podWorkload(pod: V1Pod): Workload {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'DaemonSet')?.name;
  return {
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? 'default',
    name: owner ?? pod.metadata?.name ?? '',
    labels: { ...(pod.metadata?.labels ?? {}) },
    containers: [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])],
    ready: pod.status?.phase === 'Running',
    readiness: pod.status?.phase ?? 'phase unknown',
  };
}

/** A name match wins over a label or image match (GKE's `anetd` runs the Cilium image). */
function signatureOf(w: Workload): Signature | undefined {
  const candidates = SIGNATURES.filter((s) => !s.namespace || s.namespace === w.namespace);
  return (
    candidates.find((s) => s.names.includes(w.name)) ??
    candidates.find((s) => s.labels?.some(([k, v]) => w.labels[k] === v) || s.images?.some((re) => w.containers.some((c) => re.test(c.image ?? ''))))
  );
}

/** `3.32.0` from `quay.io/calico/node:v3.32.0@sha256:...`; undefined for a tag that is no version. */
export function imageVersion(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  if (colon < 0 || colon < name.lastIndexOf('/')) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(name.slice(colon + 1));
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : undefined;
}

function engineVersion(sig: Signature, w: Workload): string | undefined {
  const images = sig.versionImages ?? sig.images ?? [];
  for (const c of w.containers) if (images.some((re) => re.test(c.image ?? ''))) return imageVersion(c.image ?? '');
  return undefined;
}

function describeWorkload(w: Workload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

function detectFromWorkloads(workloads: Workload[], engines: DetectedEngine[], evidence: string[]): void {
  for (const w of workloads) {
    const sig = signatureOf(w);
    if (!sig) {
      const plain = NON_ENFORCING.find((n) => n.names.includes(w.name));
      if (plain) evidence.push(`${describeWorkload(w)}: ${plain.note}`);
      continue;
    }
    const required = sig.requiresContainer;
    if (required && !w.containers.some((c) => c.name === required.name || (required.image?.test(c.image ?? '') ?? false))) {
      evidence.push(`${describeWorkload(w)}: ${sig.engine} found without its ${required.name} container; not enforcing`);
      continue;
    }
    const disabled = sig.disabled?.(w);
    if (disabled) {
      evidence.push(`${describeWorkload(w)}: ${sig.engine} ${disabled}; not enforcing`);
      continue;
    }
    const source = describeWorkload(w) + (w.readiness ? ` (${w.readiness})` : '');
    evidence.push(`${source}: ${sig.engine}`);
    const version = engineVersion(sig, w);
    engines.push({ engine: sig.engine, source, ...(w.ready === undefined ? {} : { ready: w.ready }), ...(version ? { version } : {}) });
  }
}

const AKS_POLICY_ENGINES: Record<string, string> = { azure: 'Azure NPM', calico: 'Calico', cilium: 'Cilium' };

function detectFromNodes(nodes: readonly V1Node[], engines: DetectedEngine[], evidence: string[]): void {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const labels = node.metadata?.labels ?? {};
    const policy = labels[AKS_NETWORK_POLICY_LABEL];
    if (policy !== undefined) counts.set(`${AKS_NETWORK_POLICY_LABEL}=${policy}`, (counts.get(`${AKS_NETWORK_POLICY_LABEL}=${policy}`) ?? 0) + 1);
    const dataplane = labels[AKS_EBPF_DATAPLANE_LABEL];
    if (dataplane !== undefined) counts.set(`${AKS_EBPF_DATAPLANE_LABEL}=${dataplane}`, (counts.get(`${AKS_EBPF_DATAPLANE_LABEL}=${dataplane}`) ?? 0) + 1);
  }
  for (const [label, count] of [...counts].sort()) {
    const [key, value] = label.split('=') as [string, string];
    const source = `node label ${label} (${count} of ${nodes.length} nodes)`;
    const engine = key === AKS_NETWORK_POLICY_LABEL ? AKS_POLICY_ENGINES[value.toLowerCase()] : value.toLowerCase() === 'cilium' ? 'Cilium' : undefined;
    if (engine) {
      engines.push({ engine, source });
      evidence.push(`${source}: ${engine}`);
    } else {
      evidence.push(`${source}: no network policy engine configured by AKS`);
    }
  }
}

/**
 * Decides whether NetworkPolicies are enforced. `enforced` is true when some engine is found
 * that is not known to be unready. Pods are only consulted for workloads not already seen as a
 * DaemonSet (for example when listing DaemonSets is forbidden).
 */
export function detectEnforcement(input: EnforcementInput): EnforcementFinding {
  const engines: DetectedEngine[] = [];
  const evidence: string[] = [];
  const daemonSets = input.daemonSets.map(daemonSetWorkload);
  detectFromWorkloads(daemonSets, engines, evidence);
  const seen = new Set(daemonSets.map((w) => `${w.namespace}/${w.name}`));
  const podGroups = new Map<string, Workload>();
  for (const pod of input.pods ?? []) {
    const w = podWorkload(pod);
    const key = `${w.namespace}/${w.name}`;
    if (seen.has(key)) continue;
    const prior = podGroups.get(key);
    if (!prior || (!prior.ready && w.ready)) podGroups.set(key, w);
  }
  detectFromWorkloads([...podGroups.values()], engines, evidence);
  detectFromNodes(input.nodes, engines, evidence);

  const working = engines.filter((e) => e.ready !== false);
  const enforced = working.length > 0;
  const names = [...new Set(working.map((e) => e.engine))];
  const scanned = `checked ${input.daemonSets.length} DaemonSets, ${input.nodes.length} nodes${input.pods ? `, ${input.pods.length} pods` : ''}`;
  let message: string;
  if (enforced) message = `NetworkPolicies are enforced by ${names.join(', ')}`;
  else if (engines.length > 0) message = `a NetworkPolicy engine is installed (${[...new Set(engines.map((e) => e.engine))].join(', ')}) but none of its pods is ready: NetworkPolicies are not enforced now (${scanned})`;
  else message = `no NetworkPolicy engine found: NetworkPolicies are stored but NOT enforced (${scanned})`;
  return { enforced, engines, evidence, message };
}
