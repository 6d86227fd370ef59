// The real bootstrap window: from a namespace's create call returning until a flow the profile
// denies is actually denied on the data plane (kube-router enforcing the operator's policies on
// real packets, test/dataplane). For each namespace: its pod's network namespace and responder
// are ready beforehand; the namespace is created (t0 = the call's return), its Pod object and
// status written at once (what a kubelet would report), and a client outside the profile's reach
// probes the pod's port every few milliseconds until the connection is refused (REJECT). The
// deny-all policy's appearance in the API server is timed in parallel, so the window splits into
// operator (API) and engine (kube-router sync) parts. Needs root (docs/dataplane.md).
import { setTimeout as sleep } from 'node:timers/promises';
import { missingPrerequisite } from '../../test/dataplane/lib/prerequisites.js';
import { startNode, type NodeEnv } from '../../test/dataplane/lib/node.js';
import { addPod, attachPod, preparePod, removeEndpoint, type Endpoint } from '../../test/dataplane/lib/topology.js';
import { applyProfile, createNamespaces } from '../../test/dataplane/lib/run-scenario.js';
import { percentile, round } from './stats.js';

export interface DataplaneBootstrap {
  namespaces: number;
  /** create call returned -> the denied flow is refused on the data plane */
  dataplaneP50Ms: number;
  dataplaneP99Ms: number;
  dataplaneMaxMs: number;
  /** create call returned -> the deny-all policy is readable from the API server */
  apiP50Ms: number;
  apiP99Ms: number;
  /** deny-all readable -> flow refused (kube-router's part), p50 / p99 */
  engineP50Ms: number;
  engineP99Ms: number;
  samplesMs: number[];
  engine: string;
}

const LABEL = { 'dataplane.test/scenario': 'bench-bootstrap' };
const MAX_WAIT_MS = 10_000;

export async function measureDataplaneBootstrap(count: number, log: (m: string) => void): Promise<DataplaneBootstrap | { skipped: string }> {
  const reason = await missingPrerequisite();
  if (reason) return { skipped: reason };
  const node = await startNode();
  const endpoints: Endpoint[] = [];
  try {
    await applyProfile(node, 'bench-bootstrap', { namespaceSelector: { matchLabels: LABEL } });
    await createNamespaces(node, { 'dpb-client': {} });
    const client = await addPod(node, { namespace: 'dpb-client', name: 'client', labels: { app: 'client' }, ports: [] });
    endpoints.push(client);
    // Warm-up, not counted: the first namespace after start-up also waits for the operator's caches
    // and kube-router's first full sync (measured at about 3 s), which is start-up, not bootstrap.
    await measureOne(node, client, 'dpb-warmup', endpoints);
    const total: number[] = [];
    const api: number[] = [];
    const engine: number[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `dpb-${i}`;
      const { deniedMs, apiMs } = await measureOne(node, client, ns, endpoints);
      total.push(deniedMs);
      api.push(apiMs);
      engine.push(Math.max(0, deniedMs - apiMs));
      log(`dataplane bootstrap ${ns}: denied after ${deniedMs.toFixed(0)} ms (policy in API after ${apiMs.toFixed(0)} ms)`);
    }
    return {
      namespaces: count,
      dataplaneP50Ms: round(percentile(total, 50), 1),
      dataplaneP99Ms: round(percentile(total, 99), 1),
      dataplaneMaxMs: round(Math.max(...total), 1),
      apiP50Ms: round(percentile(api, 50), 1),
      apiP99Ms: round(percentile(api, 99), 1),
      engineP50Ms: round(percentile(engine, 50), 1),
      engineP99Ms: round(percentile(engine, 99), 1),
      samplesMs: total.map((v) => round(v, 1)),
      engine: 'kube-router v2.1.0 (firewall only), iptables nf_tables',
    };
  } finally {
    for (const e of endpoints) await removeEndpoint(node, e).catch(() => {});
    await node.stop();
  }
}

/** One namespace: prepare its pod, create it, write the pod, probe until refused. Times from the create call's return. */
async function measureOne(node: NodeEnv, client: Endpoint, ns: string, endpoints: Endpoint[]): Promise<{ deniedMs: number; apiMs: number }> {
  const pod = await preparePod(node, { namespace: ns, name: 'web', labels: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] });
  endpoints.push(pod.endpoint);
  const before = await client.process.probe(pod.endpoint.ip, 80, 'TCP', 1000);
  if (before.result !== 'open') throw new Error(`${ns}: the pod must be reachable before its namespace exists, got ${before.result}`);
  await createNamespaces(node, { [ns]: LABEL });
  const t0 = performance.now();
  let apiAt: number | undefined;
  const apiWatch = (async () => {
    while (apiAt === undefined && performance.now() - t0 < MAX_WAIT_MS) {
      try {
        await node.api.request('GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/seg.bench-bootstrap.deny-all`);
        apiAt = performance.now();
      } catch {
        await sleep(5);
      }
    }
  })();
  await attachPod(node, pod);
  let deniedAt: number | undefined;
  while (performance.now() - t0 < MAX_WAIT_MS) {
    const r = await client.process.probe(pod.endpoint.ip, 80, 'TCP', 500);
    if (r.result !== 'open') {
      deniedAt = performance.now();
      break;
    }
    await sleep(3);
  }
  await apiWatch;
  if (deniedAt === undefined || apiAt === undefined) throw new Error(`${ns}: not denied within ${MAX_WAIT_MS} ms (policy in API: ${apiAt !== undefined})`);
  return { deniedMs: deniedAt - t0, apiMs: apiAt - t0 };
}
