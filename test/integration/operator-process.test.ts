// `segmentation run` as real processes: two instances with leader election; exactly one writes;
// SIGKILL of the leader hands over within the lease duration with no policy lost or duplicated;
// SIGTERM drains, releases the lease and exits 0. Also /healthz, /readyz and /metrics.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eventually } from './hooks.js';
import { applyProfile, createNamespace, ensureCrd, expectedNames, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The real CLI entry point, as `segmentation run` runs it.
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Instance {
  name: string;
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string[];
}

async function metric(inst: Instance, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${inst.port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(labels) && !line.startsWith('#')) total += Number(line.split(' ').pop());
  return total;
}

describe('segmentation run as processes (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `seg-proc-${run}`;
  const profile = `proc-${run}`;
  const spec = { namespaceSelector: { matchLabels: { [sel]: 'on' } } };
  const leaseNamespace = `lease-proc-${run}`;
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases/segmentation-operator`;
  const instances: Instance[] = [];

  async function startInstance(name: string): Promise<Instance> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'run', '--leader-elect', `--lease-namespace=${leaseNamespace}`, '--lease-duration=4', '--renew-deadline=3', '--retry-period=0.5', `--health-port=${port}`, `--metrics-port=${port}`, '--log-level=info', '--workers=4'],
      { cwd: ROOT, env: { ...process.env, POD_NAME: name }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const inst = { name, child, port, exited, output };
    instances.push(inst);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(res.status, 200, await res.text());
    }, { timeoutMs: 60_000 });
    return inst;
  }

  const holder = async () => (await testApi().request<{ spec: { holderIdentity?: string } }>('GET', leasePath)).spec.holderIdentity ?? '';

  before(async function () {
    await ensureCrd();
    await testApi().request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: leaseNamespace } } });
    await applyProfile(profile, spec);
  });

  after(async function () {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    await testApi().request('DELETE', `/api/v1/namespaces/${leaseNamespace}`).catch(() => {});
    await runCleanups();
  });

  it('serves health, readiness and metrics; exactly one of two instances writes; SIGKILL hands over; SIGTERM releases', async () => {
    const a = await startInstance(`proc-a-${run}`);
    const b = await startInstance(`proc-b-${run}`);
    assert.equal((await fetch(`http://127.0.0.1:${a.port}/healthz`)).status, 200);
    await eventually(async () => assert.ok([a.name, b.name].includes(await holder())));
    const leader = (await holder()) === a.name ? a : b;
    const standby = leader === a ? b : a;
    assert.equal(await (await fetch(`http://127.0.0.1:${standby.port}/readyz`)).text(), 'standing by\n');

    const ns1 = await createNamespace('proc', { [sel]: 'on' });
    const want1 = expectedNames(profile, spec, ns1, { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns1), want1));
    await eventually(async () => assert.ok((await metric(leader, 'segmentation_writes_total', 'resource="networkpolicies"')) >= want1.length));
    assert.equal(await metric(standby, 'segmentation_writes_total', 'resource="networkpolicies"'), 0, 'the standby never writes');
    assert.equal(await metric(leader, 'segmentation_leader'), 1);
    assert.equal(await metric(standby, 'segmentation_leader'), 0);

    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    await eventually(async () => assert.equal(await holder(), standby.name), { timeoutMs: 30_000, intervalMs: 100 });
    assert.ok(Date.now() - killedAt < 4_000 + 3_000, `handover within the lease duration (+ retry slack): ${Date.now() - killedAt} ms`);
    const ns2 = await createNamespace('proc-after', { [sel]: 'on' });
    await eventually(async () => assert.deepEqual(await policyNames(ns2), expectedNames(profile, spec, ns2, { [sel]: 'on' })));
    assert.deepEqual(await policyNames(ns1), want1, 'nothing lost or duplicated');

    standby.child.kill('SIGTERM');
    const exit = await standby.exited;
    assert.equal(exit.code, 0, standby.output.join('').slice(-2000));
    assert.equal(await holder(), '', 'lease released on SIGTERM');
  });
});
