// kube-router, the NetworkPolicy engine of the data-plane tests: built and cached by
// test/dataplane/build-kube-router.sh (where its version is pinned; a test-only tool), run inside
// the node namespace with only its firewall controller.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, startInNetns, type Child } from './processes.js';

const BUILD = join(REPO_ROOT, 'test', 'dataplane', 'build-kube-router.sh');

/** Returns the cached binary's path, building it first if needed (3-4 minutes cold on 2 cores). */
export function ensureKubeRouter(onProgress: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [BUILD], { timeout: 30 * 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`cannot build kube-router (${BUILD}): ${stderr.trim().split('\n').slice(-15).join('\n') || err.message}`));
      else resolve(stdout.trim().split('\n').at(-1) ?? '');
    });
    child.stderr?.on('data', (d: Buffer) => onProgress(d.toString().trim()));
  });
}

export function startKubeRouter(netns: string, binary: string, opts: { kubeconfig: string; nodeName: string; serviceRange: string }): Child {
  return startInNetns(netns, 'kube-router', [
    binary,
    `--kubeconfig=${opts.kubeconfig}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    `--hostname-override=${opts.nodeName}`,
    `--service-cluster-ip-range=${opts.serviceRange}`,
    '--health-port=0',
    '--metrics-port=0',
    '--v=1',
  ]);
}
