// Pods and external hosts of a data-plane run. A pod is a network namespace on a routed veth into
// the node, an endpoint process answering on its ports, and a Pod object whose status says what a
// kubelet would (Running, hostIP = the node's InternalIP, podIP/podIPs): kube-router enforces only
// pods whose hostIP is its node's. An external host is the same without the Pod object.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../../src/kube/client.js';
import { startEndpoint, type EndpointProcess, type ProbeProtocol } from './endpoint.js';
import { addNetns, connectRouted, deleteNetns, runPrefix } from './netns.js';
import { NODE_IP, NODE_NAME, type NodeEnv } from './node.js';

export interface PortSpec {
  port: number;
  protocol: ProbeProtocol;
  /** A containerPort name, for named ports in policies. */
  name?: string;
}

export interface PodSpec {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: PortSpec[];
}

export interface HostSpec {
  name: string;
  ip: string;
  ports: PortSpec[];
}

export interface Endpoint {
  /** `ns/name` for a pod, `host/name` for an external host. */
  id: string;
  kind: 'pod' | 'host';
  ip: string;
  ports: PortSpec[];
  process: EndpointProcess;
  netns: string;
  pod?: PodSpec;
}

let nextIndex = 1;

function split(ports: PortSpec[]): { tcp: number[]; udp: number[] } {
  return { tcp: ports.filter((p) => p.protocol === 'TCP').map((p) => p.port), udp: ports.filter((p) => p.protocol === 'UDP').map((p) => p.port) };
}

async function plumb(node: NodeEnv, kind: 'p' | 'h', ip: string, ports: PortSpec[]): Promise<{ netns: string; process: EndpointProcess }> {
  const index = nextIndex++;
  const netns = `${runPrefix()}${kind}${index}`;
  await addNetns(netns);
  try {
    await connectRouted(node.netns, `${kind}${index}`, netns, ip);
    return { netns, process: await startEndpoint(netns, split(ports)) };
  } catch (err) {
    await deleteNetns(netns);
    throw err;
  }
}

/** 10.244.0.1, 10.244.0.2, ... one per pod of the run, never reused. */
let nextPodIp = 1;
function allocatePodIp(): string {
  const n = nextPodIp++;
  return `10.244.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

export async function addHost(node: NodeEnv, spec: HostSpec): Promise<Endpoint> {
  const { netns, process } = await plumb(node, 'h', spec.ip, spec.ports);
  return { id: `host/${spec.name}`, kind: 'host', ip: spec.ip, ports: spec.ports, process, netns };
}

export interface PreparedPod {
  spec: PodSpec;
  endpoint: Endpoint;
}

/** The network side of a pod: its namespace, veth, address and responders (no Pod object yet). */
export async function preparePod(node: NodeEnv, spec: PodSpec): Promise<PreparedPod> {
  const ip = allocatePodIp();
  const { netns, process } = await plumb(node, 'p', ip, spec.ports);
  return { spec, endpoint: { id: `${spec.namespace}/${spec.name}`, kind: 'pod', ip, ports: spec.ports, process, netns, pod: spec } };
}

/** The API side: the Pod object, then its status as a kubelet would write it. */
export async function attachPod(node: NodeEnv, { spec, endpoint }: PreparedPod): Promise<void> {
  const ip = endpoint.ip;
  const body = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      nodeName: NODE_NAME,
      automountServiceAccountToken: false,
      containers: [{ name: 'app', image: 'registry.invalid/dataplane-endpoint', ports: spec.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })) }],
    },
  };
  // The ServiceAccount admission plugin rejects pods until the namespace's "default" account exists.
  for (let attempt = 0; ; attempt++) {
    try {
      await node.api.request('POST', `/api/v1/namespaces/${spec.namespace}/pods`, { body });
      break;
    } catch (err) {
      if (attempt >= 100 || !/serviceaccount/i.test(String(err))) throw err;
      await sleep(50);
    }
  }
  const now = new Date().toISOString();
  await node.api.request('PATCH', `/api/v1/namespaces/${spec.namespace}/pods/${spec.name}/status`, {
    body: { status: { phase: 'Running', hostIP: NODE_IP, hostIPs: [{ ip: NODE_IP }], podIP: ip, podIPs: [{ ip }], startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
    contentType: 'application/merge-patch+json',
  });
}

export async function addPod(node: NodeEnv, spec: PodSpec): Promise<Endpoint> {
  const prepared = await preparePod(node, spec);
  try {
    await attachPod(node, prepared);
  } catch (err) {
    prepared.endpoint.process.stop();
    await deleteNetns(prepared.endpoint.netns);
    throw err;
  }
  return prepared.endpoint;
}

/** Stops the endpoint, deletes its namespace and (for a pod) its Pod object, at once (no kubelet to wait for). */
export async function removeEndpoint(node: NodeEnv, endpoint: Endpoint): Promise<void> {
  endpoint.process.stop();
  await deleteNetns(endpoint.netns);
  if (endpoint.pod) {
    await node.api.request('DELETE', `/api/v1/namespaces/${endpoint.pod.namespace}/pods/${endpoint.pod.name}`, { query: { gracePeriodSeconds: 0 } }).catch(() => {});
  }
}
