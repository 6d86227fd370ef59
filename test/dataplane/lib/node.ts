// The "node": one private network namespace holding etcd, kube-apiserver and
// kube-controller-manager (src/devcluster, unchanged), kube-router (firewall only) and the operator
// (`segmentation run`). It has no default route and no link to the host: the test reaches the API
// server through a Unix socket (api-bridge.ts), and pods and external hosts hang off it on routed
// veths (netns.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';
import { listenTcpToUnix } from './api-bridge.js';
import { installCrd } from './crd.js';
import { ensureKubeRouter, startKubeRouter } from './kube-router.js';
import { addNetns, deleteNetns, runPrefix, sweepStale, sysctl } from './netns.js';
import { REPO_ROOT, startInNetns, type Child } from './processes.js';
import { sh } from './sh.js';

export const NODE_NAME = 'dataplane-node';
export const NODE_IP = '10.240.0.1';
export const SERVICE_RANGE = '10.96.0.0/16';

export interface NodeEnv {
  netns: string;
  api: KubeClient;
  kubeConfig: KubeConfig;
  /** Kills and removes everything this node started, in reverse order. */
  stop(): Promise<void>;
  /** Output tails of the node's processes, for failure messages. */
  logs(): string;
}

const log = (m: string) => process.stderr.write(`[dataplane] ${m}\n`);

export async function startNode(): Promise<NodeEnv> {
  const swept = await sweepStale();
  if (swept.length > 0) log(`removed ${swept.length} stale network namespaces of killed runs`);
  const started = Date.now();
  const kubeRouterBinary = await ensureKubeRouter(log);
  const netns = `${runPrefix()}node`;
  const dir = mkdtempSync(join(tmpdir(), runPrefix())); // swept like the network namespaces
  const children: Child[] = [];
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of [...children].reverse()) await c.stop().catch(() => {});
    for (const close of closers.reverse()) await close().catch(() => {});
    await deleteNetns(netns);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await addNetns(netns);
    // Forwarding between the veths; ICMP replies (REJECTs) never rate-limited, so a denied flow
    // fails as fast as a closed port however many are probed. Only in this namespace.
    await sysctl(netns, { 'net.ipv4.ip_forward': 1, 'net.ipv4.icmp_ratelimit': 0, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
    await sh('ip', ['-n', netns, 'addr', 'add', `${NODE_IP}/32`, 'dev', 'lo']);

    const kubeconfigPath = join(dir, 'kubeconfig');
    const cp = startInNetns(netns, 'controlplane', [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src', 'devcluster', 'cli.ts'), '--kubeconfig-out', kubeconfigPath]);
    children.push(cp);
    await cp.waitForLine(/^export KUBECONFIG=/, 50 * 60_000);
    const inside = readFileSync(kubeconfigPath, 'utf8');
    const apiPort = /"?server"?:\s*"?https:\/\/127\.0\.0\.1:(\d+)/.exec(inside)?.[1];
    if (!apiPort) throw new Error(`no 127.0.0.1 server in ${kubeconfigPath}`);

    const socketPath = join(dir, 'api.sock');
    const bridge = startInNetns(netns, 'api-bridge', [process.execPath, join(REPO_ROOT, 'test', 'dataplane', 'agent', 'bridge.mjs'), socketPath, '127.0.0.1', apiPort]);
    children.push(bridge);
    await bridge.waitForLine(/ready/, 15_000);
    const local = await listenTcpToUnix(socketPath);
    closers.push(local.close);
    const outsidePath = join(dir, 'kubeconfig-outside');
    writeFileSync(outsidePath, inside.replace(`https://127.0.0.1:${apiPort}`, `https://127.0.0.1:${local.port}`));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(outsidePath);
    const api = new KubeClient(kubeConfig, { qps: 0 });

    await installCrd(api);
    // kube-router reads the node's InternalIP at start and enforces only pods whose hostIP equals it.
    await api.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } } } });
    await api.request('PATCH', `/api/v1/nodes/${NODE_NAME}/status`, {
      body: { status: { addresses: [{ type: 'InternalIP', address: NODE_IP }, { type: 'Hostname', address: NODE_NAME }], conditions: [{ type: 'Ready', status: 'True', reason: 'Test', message: 'data-plane test node', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } },
      contentType: 'application/merge-patch+json',
    });

    children.push(startKubeRouter(netns, kubeRouterBinary, { kubeconfig: kubeconfigPath, nodeName: NODE_NAME, serviceRange: SERVICE_RANGE }));
    children.push(
      startInNetns(netns, 'operator', [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'run', `--kubeconfig=${kubeconfigPath}`, '--health-port=0', '--metrics-port=0', '--log-level=warn', '--scan-period=0']),
    );
    log(`node ready in ${((Date.now() - started) / 1000).toFixed(1)} s (netns ${netns})`);
    return { netns, api, kubeConfig, stop, logs: () => children.map((c) => `--- ${c.name} ---\n${c.tail()}`).join('\n') };
  } catch (err) {
    await stop();
    throw err;
  }
}
