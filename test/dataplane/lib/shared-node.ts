// The node of a test run and the endpoints every scenario shares (DNS pods, external hosts),
// started once by the data-plane root suite (dataplane.test.ts) and stopped in its after hook.
import { API_SERVER_ENDPOINT, SHARED_HOSTS, SHARED_PODS } from '../scenarios.js';
import { missingPrerequisite, onCi } from './prerequisites.js';
import { startNode, type NodeEnv } from './node.js';
import { addHost, addPod, removeEndpoint, type Endpoint } from './topology.js';

export interface World {
  node: NodeEnv;
  shared: Endpoint[];
}

let world: World | undefined;

export function currentWorld(): World {
  if (!world) throw new Error('the data-plane node is not running (only inside test/dataplane suites)');
  return world;
}

/**
 * Starts the node unless the machine cannot run it: then, on CI, throws the reason (the suite
 * must never be skipped there); elsewhere returns the reason so the caller can skip.
 */
export async function startWorld(): Promise<string | undefined> {
  const reason = await missingPrerequisite();
  if (reason) {
    if (onCi()) throw new Error(`the data-plane suite cannot run on this CI machine: ${reason}`);
    return reason;
  }
  const node = await startNode();
  const shared: Endpoint[] = [];
  world = { node, shared };
  for (const pod of SHARED_PODS) shared.push(await addPod(node, pod));
  for (const host of SHARED_HOSTS) shared.push(await addHost(node, host));
  // The API server's endpoint as the operator learns it (the test API server has no endpoint reconciler).
  await node.api.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
    body: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [API_SERVER_ENDPOINT.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: API_SERVER_ENDPOINT.port, protocol: 'TCP' }],
    },
  });
  return undefined;
}

export async function stopWorld(): Promise<void> {
  const w = world;
  world = undefined;
  if (!w) return;
  for (const e of w.shared) await removeEndpoint(w.node, e).catch(() => {});
  await w.node.stop();
}
