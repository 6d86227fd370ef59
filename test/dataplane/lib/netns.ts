// Network namespaces of one data-plane run. Every name starts with `segdp<ownerPid>-`, so that a
// later run can find the namespaces of a run that was killed (owner no longer alive), stop the
// processes left in them and delete them, without touching a live run's.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './sh.js';

export const NETNS_PREFIX = 'segdp';

export function runPrefix(pid = process.pid): string {
  return `${NETNS_PREFIX}${pid}-`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function listNetns(): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list'], { allowFail: true });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** Kills every process still in the namespace, then deletes it. */
export async function deleteNetns(name: string): Promise<void> {
  const pids = (await sh('ip', ['netns', 'pids', name], { allowFail: true })).split('\n').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await sh('ip', ['netns', 'del', name], { allowFail: true });
}

function staleOwner(name: string): boolean {
  const m = new RegExp(`^${NETNS_PREFIX}(\\d+)-`).exec(name);
  return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
}

/**
 * Deletes the namespaces (and the temp dirs, same prefix) of earlier runs whose owner process is
 * gone. Returns the namespaces' names.
 */
export async function sweepStale(): Promise<string[]> {
  const stale = (await listNetns()).filter(staleOwner);
  for (const name of stale) await deleteNetns(name);
  for (const entry of readdirSync(tmpdir())) if (staleOwner(entry)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  return stale;
}

export async function addNetns(name: string): Promise<void> {
  await sh('ip', ['netns', 'add', name]);
  await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

export async function sysctl(ns: string, settings: Record<string, string | number>): Promise<void> {
  for (const [key, value] of Object.entries(settings)) await sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
}

/**
 * A routed veth between the node namespace and an endpoint namespace (no bridge): the endpoint
 * gets `ip/32` on eth0 and a default route out of eth0; the node side answers ARP for it (proxy
 * ARP) and routes `ip/32` to it. The node namespace itself has no default route, so nothing
 * leaves the namespaces of the run.
 */
export async function connectRouted(nodeNs: string, hostIfName: string, endpointNs: string, ip: string): Promise<void> {
  await sh('ip', ['-n', nodeNs, 'link', 'add', hostIfName, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', endpointNs]);
  await sh('ip', ['-n', endpointNs, 'addr', 'add', `${ip}/32`, 'dev', 'eth0']);
  await sh('ip', ['-n', endpointNs, 'link', 'set', 'eth0', 'up']);
  await sh('ip', ['-n', endpointNs, 'route', 'add', 'default', 'dev', 'eth0']);
  await sh('ip', ['-n', nodeNs, 'link', 'set', hostIfName, 'up']);
  await sysctl(nodeNs, { [`net.ipv4.conf.${hostIfName}.proxy_arp`]: 1, [`net.ipv4.conf.${hostIfName}.rp_filter`]: 0, [`net.ipv4.neigh.${hostIfName}.proxy_delay`]: 0 });
  await sh('ip', ['-n', nodeNs, 'route', 'add', `${ip}/32`, 'dev', hostIfName]);
}
