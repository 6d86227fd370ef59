// The analysis commands run in-process on the shipped example files (and a fake cluster reader).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import type { ClusterReader } from '../../../src/kube/cluster-reader.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { InputError } from '../../../src/cli/input.js';
import { runCli } from '../analysis/fixtures/run-cli.js';

const EX = 'examples/analysis';
const INPUTS = ['--policies', `${EX}/policies.yaml`, '--namespaces', `${EX}/namespaces.yaml`, '--pods', `${EX}/pods.yaml`];
const tmp = mkdtempSync(join(tmpdir(), 'analysis-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
function tmpFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

async function expectInputError(args: string[], pattern: RegExp): Promise<void> {
  const run = await runCli(args);
  assert.ok(run.error instanceof InputError, `expected an InputError, got ${run.error?.stack ?? 'none'}`);
  assert.match(run.error.message, pattern);
  assert.doesNotMatch(run.error.message, /\n/, 'one line');
}

function fakeCluster(overrides: Partial<ClusterReader> = {}): ClusterReader {
  return {
    description: 'fake',
    namespaces: async () => [{ metadata: { name: 'shop' } }],
    pods: async () => [{ metadata: { namespace: 'shop', name: 'api', labels: { app: 'api' } }, spec: { containers: [] }, status: { podIP: '10.1.0.7' } }],
    networkPolicies: async () => [{ metadata: { namespace: 'shop', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
    daemonSets: async () => [],
    nodes: async () => [],
    crds: async () => [],
    guardrails: async () => [],
    ...overrides,
  };
}

describe('cli: explain', () => {
  it('explains an allowed pod-to-pod connection with the rules on both sides', async () => {
    const run = await runCli(['explain', '--from', 'shop/backend', '--to', 'shop/database', '--port', '5432', ...INPUTS]);
    assert.equal(run.error, undefined);
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /^shop\/backend -> shop\/database on TCP\/5432: ALLOWED$/m);
    assert.match(run.stdout, /egress from shop\/backend: allowed by shop\/backend-to-database egress\[0\] peer\[0\]/);
    assert.match(run.stdout, /ingress to shop\/database: allowed by shop\/database-from-backend ingress\[0\] peer\[0\]/);
    assert.match(run.stdout, /rule shop\/database-from-backend ingress\[0\] peer\[0\]: from \[pods app=backend\] on postgres\/TCP/);
  });

  it('explains a denial on both sides, and --exit-code exits 2', async () => {
    const run = await runCli(['explain', '--from', 'shop/frontend', '--to', 'shop/database', '--port', '5432', '--exit-code', ...INPUTS]);
    assert.equal(run.exitCode, 2);
    assert.match(run.stdout, /: DENIED$/m);
    assert.match(run.stdout, /egress from shop\/frontend: DENIED: isolated by shop\/default-deny, shop\/allow-dns, shop\/frontend-internet/);
  });

  it('prints JSON with structured verdicts', async () => {
    const run = await runCli(['explain', '--from', 'shop/frontend', '--to', '169.254.169.254', '--port', '80', '-o', 'json', ...INPUTS]);
    const out = JSON.parse(run.stdout);
    assert.equal(out.allowed, true);
    assert.deepEqual(out.egress.allowedBy, [{ policy: 'shop/frontend-internet', direction: 'Egress', ruleIndex: 0, peerIndex: 0 }]);
    assert.deepEqual(out.ingress, { status: 'outside-cluster' });
  });

  it('accepts ns/labels and a named port resolved on the destination pod', async () => {
    const run = await runCli(['explain', '--from', 'shop/app=backend', '--to', 'kube-system/coredns', '--port', 'dns/UDP', '-o', 'json', ...INPUTS]);
    const out = JSON.parse(run.stdout);
    assert.deepEqual([out.from, out.traffic, out.allowed], ['shop/{app=backend}', { port: 53, protocol: 'UDP' }, true]);
  });

  it('turns a pod IP into that pod and says so', async () => {
    const run = await runCli(['explain', '--from', '10.244.1.11', '--to', 'shop/database', '--port', '5432', ...INPUTS]);
    assert.match(run.stdout, /^shop\/backend -> shop\/database/m);
    assert.match(run.stdout, /note: 10\.244\.1\.11 is the IP of pod shop\/backend/);
  });

  it('renders profiles for the namespaces with --profiles', async () => {
    const args = ['--profiles', 'examples/aks-guidance.yaml', '--namespaces', 'examples/namespaces.yaml', '-o', 'json'];
    const allowed = JSON.parse((await runCli(['explain', '--from', 'shop/app=backend', '--to', 'shop/app=database', '--port', '5432', ...args])).stdout);
    const denied = JSON.parse((await runCli(['explain', '--from', 'shop/app=frontend', '--to', 'shop/app=database', '--port', '5432', ...args])).stdout);
    assert.equal(allowed.allowed, true);
    assert.equal(denied.allowed, false);
  });

  describe('bad input is one line naming the flag, file or field', () => {
    it('unknown pod', () => expectInputError(['explain', '--from', 'shop/nope', '--to', 'shop/backend', '--port', '80', ...INPUTS], /^--from: pod shop\/nope not found; pods in shop: /));
    it('malformed endpoint', () => expectInputError(['explain', '--from', 'nonsense', '--to', 'shop/backend', '--port', '80', ...INPUTS], /^--from: "nonsense" is not/));
    it('bad port', () => expectInputError(['explain', '--from', 'shop/backend', '--to', 'shop/database', '--port', '70000', ...INPUTS], /^--port: port 70000/));
    it('named port the destination lacks', () => expectInputError(['explain', '--from', 'shop/backend', '--to', '8.8.8.8', '--port', 'https', ...INPUTS], /^--port: port name "https"/));
    it('no input', () => expectInputError(['explain', '--from', 'a/x=y', '--to', 'b/x=y', '--port', '80'], /^no input/));
    it('missing file', () => expectInputError(['explain', '--from', 'a/x=y', '--to', 'b/x=y', '--port', '80', '--policies', join(tmp, 'absent.yaml')], /absent\.yaml: cannot read file \(ENOENT\)/));
    it('unexpected kind', async () => {
      const file = tmpFile('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\n');
      await expectInputError(['explain', '--from', 'a/x=y', '--to', 'b/x=y', '--port', '80', '--policies', file], /svc\.yaml#0: kind: expected NetworkPolicy, Namespace, Pod or a guardrail \(CiliumClusterwideNetworkPolicy, ClusterNetworkPolicy, GlobalNetworkPolicy, Tier\), got "Service"/);
    });
    it('policy without a namespace', async () => {
      const file = tmpFile('nons.yaml', 'kind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n');
      await expectInputError(['explain', '--from', 'a/x=y', '--to', 'b/x=y', '--port', '80', '--policies', file], /nons\.yaml#0: metadata\.namespace: /);
    });
    it('misspelt field', async () => {
      const file = tmpFile('typo.yaml', 'kind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n  ingress: [{from: [{podSelecter: {}}]}]\n');
      await expectInputError(['explain', '--from', 'a/x=y', '--to', 'b/x=y', '--port', '80', '--policies', file], /typo\.yaml#0: spec\.ingress\[0\]\.from\[0\]/);
    });
  });

  describe('live inputs', () => {
    it('reads the cluster, and files replace live objects of the same name', async () => {
      const live = await runCli(['explain', '--from', '10.9.9.9', '--to', 'shop/api', '--port', '80', '--live', '-o', 'json'], { cluster: fakeCluster() });
      assert.equal(JSON.parse(live.stdout).allowed, false);
      const override = tmpFile('open.yaml', 'kind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, ingress: [{}]}\n');
      const merged = await runCli(['explain', '--from', '10.9.9.9', '--to', 'shop/api', '--port', '80', '--kubeconfig', 'kc', '--policies', override, '-o', 'json'], { cluster: fakeCluster() });
      assert.equal(JSON.parse(merged.stdout).allowed, true);
      assert.deepEqual(JSON.parse(merged.stdout).ingress.isolatedBy, ['shop/deny'], 'replaced (live list items carry no kind), not added');
    });
    it('a failed list call is a one-line error naming the cluster', async () => {
      const cluster = fakeCluster({ pods: async () => Promise.reject(new KubeApiError(403, 'Forbidden', 'pods is forbidden: User "u" cannot list resource "pods"', 'GET', '/api/v1/pods')) });
      const run = await runCli(['explain', '--from', '1.1.1.1', '--to', 'shop/x=y', '--port', '80', '--live'], { cluster });
      assert.ok(run.error instanceof InputError);
      assert.equal(run.error.message, 'fake: cannot list pods: HTTP 403 Forbidden');
      assert.equal((run.error.cause as KubeApiError).statusCode, 403, 'the status stays on the error for callers to decide on');
    });
  });
});

describe('cli: matrix', () => {
  it('prints the text table with pod and well-known columns', async () => {
    const run = await runCli(['matrix', '--port', '5432', ...INPUTS]);
    const lines = run.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('from \\ to'))!;
    assert.deepEqual(header.split(/\s{2,}/).slice(1), [
      'kube-system/coredns', 'monitoring/prometheus', 'shop/backend', 'shop/database', 'shop/frontend',
      'dns udp/53', 'dns tcp/53', 'metadata 169.254.169.254:80', 'metadata [fd00:ec2::254]:80', 'external 203.0.113.10:443',
    ]);
    const backend = lines.find((l) => l.startsWith('shop/backend'))!;
    assert.deepEqual(backend.replace('shop/backend', '').trim().split(/\s+/), ['X', 'X', 'X', '.', 'X', '.', '.', 'X', 'X', 'X']);
  });

  it('prints JSON with a boolean grid and per-cell verdicts', async () => {
    const out = JSON.parse((await runCli(['matrix', '--port', '5432', '-o', 'json', '--namespace', 'shop', ...INPUTS])).stdout);
    assert.deepEqual(out.rows, ['shop/backend', 'shop/database', 'shop/frontend']);
    assert.deepEqual(out.columns.map((c: { kind: string }) => c.kind), ['pod', 'pod', 'pod', 'dns', 'dns', 'metadata', 'metadata', 'external']);
    assert.deepEqual(out.allowed[0], [false, true, false, true, true, false, false, false]);
    assert.deepEqual(out.allowed[2], [false, false, false, true, true, true, false, true]);
    assert.equal(out.cells.length, 3 * 8);
  });

  it('prints Markdown', async () => {
    const run = await runCli(['matrix', '-o', 'markdown', '--namespace', 'shop', '--no-well-known', ...INPUTS]);
    assert.match(run.stdout, /^\| from \\ to \| shop\/backend \| shop\/database \| shop\/frontend \|$/m);
    assert.match(run.stdout, /^\| shop\/frontend \| ❌ \| ❌ \| ❌ \|$/m);
  });

  it('prints Mermaid with red arrows to the metadata endpoint', async () => {
    const run = await runCli(['matrix', '-o', 'mermaid', '--namespace', 'shop', '--no-dns', ...INPUTS]);
    assert.match(run.stdout, /^flowchart LR$/m);
    assert.match(run.stdout, /^  subgraph ns0\["shop"\]$/m);
    assert.match(run.stdout, /^  p2 -->\|tcp\/80\| w3$/m);
    assert.match(run.stdout, /^  linkStyle 0 stroke:#c62828/m);
  });

  it('writes a self-contained SVG with one cell per pair', async () => {
    const run = await runCli(['matrix', '--svg', 'out.svg', '--namespace', 'shop', ...INPUTS]);
    const svg = run.files.get('out.svg');
    assert.ok(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<rect x="\d+(\.\d+)?" y="\d+(\.\d+)?" width="22"/g) ?? []).length, 3 * 8);
    assert.doesNotMatch(svg, /<script|href=/);
    assert.match(svg, /<title>shop\/frontend -&gt; metadata 169\.254\.169\.254:80 \(TCP\/80\): allowed\./);
  });

  it('takes custom DNS and external columns, and hypothetical pods', async () => {
    const run = await runCli(['matrix', '-o', 'json', '--pod', 'shop/app=backend', '--namespace', 'shop', '--dns', 'dns/app=resolver', '--external', '[2001:db8::1]:443', '--external', '198.51.100.7:53/UDP', '--metadata', '100.100.100.200:80', ...INPUTS]);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.columns.slice(-5).map((c: { id: string }) => c.id), ['dns udp/53', 'dns tcp/53', 'metadata 100.100.100.200:80', 'external [2001:db8::1]:443', 'external 198.51.100.7:53/UDP']);
    assert.ok(out.rows.includes('shop/{app=backend}'));
  });

  it('rejects a bad --external and an empty selection', async () => {
    await expectInputError(['matrix', '--external', '203.0.113.10', ...INPUTS], /^--external: "203\.0\.113\.10" is not ADDRESS:PORT/);
    await expectInputError(['matrix', '--namespace', 'absent', ...INPUTS], /^no pods for the matrix/);
  });
});

describe('cli: audit', () => {
  it('names the policy that reopens metadata and exits 2', async () => {
    const run = await runCli(['audit', ...INPUTS]);
    assert.equal(run.exitCode, 2);
    assert.match(run.stdout, /^shop: EXPOSED$/m);
    assert.match(run.stdout, /shop\/frontend-internet egress\[0\] opens 169\.254\.169\.254\/32 via ipBlock 0\.0\.0\.0\/0 \(to\[0\]\) on 443\/TCP, 80\/TCP for pods app=frontend \[pods: shop\/frontend\]/);
    assert.match(run.stdout, /^monitoring: EXPOSED\n {2}unisolated: no NetworkPolicy restricts egress in this namespace: monitoring\/prometheus$/m);
    assert.match(run.stdout, /^3 of 3 namespace\(s\) exposed$/m);
  });

  it('exits 0 when the audited namespaces are closed', async () => {
    const closed = tmpFile('closed.yaml', 'kind: NetworkPolicy\nmetadata: {name: deny, namespace: safe}\nspec: {podSelector: {}, policyTypes: [Egress]}\n');
    const run = await runCli(['audit', '--policies', closed, '-o', 'json']);
    assert.equal(run.exitCode, 0);
    assert.deepEqual(JSON.parse(run.stdout).namespaces, [{ namespace: 'safe', exposed: false, openedBy: [] }]);
  });

  it('filters namespaces and takes custom metadata CIDRs', async () => {
    const run = await runCli(['audit', '--namespace', 'shop', '--metadata-cidr', 'fd00:ec2::254/128', '-o', 'json', ...INPUTS]);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.metadataCidrs, ['fd00:ec2::254/128']);
    assert.deepEqual(out.namespaces.map((n: { namespace: string; exposed: boolean }) => [n.namespace, n.exposed]), [['shop', false]]);
    assert.equal(run.exitCode, 0);
  });

  it('rejects a bad CIDR', () => expectInputError(['audit', '--metadata-cidr', '169.254.169.254', ...INPUTS], /^--metadata-cidr: "169\.254\.169\.254" is not a CIDR/));
});

describe('cli: preflight', () => {
  it('exit 0 when an engine runs (inventory file)', async () => {
    const run = await runCli(['preflight', '--inventory', `${EX}/inventory-calico.yaml`]);
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /^NetworkPolicy enforcement: ENFORCED$/m);
    assert.match(run.stdout, /DaemonSet calico-system\/calico-node \(3\/3 ready\): Calico/);
  });

  it('exit 2 and a clear message when none runs', async () => {
    const run = await runCli(['preflight', '--inventory', `${EX}/inventory-aks-none.yaml`]);
    assert.equal(run.exitCode, 2);
    assert.match(run.stdout, /NOT ENFORCED/);
    assert.match(run.stdout, /kubernetes\.azure\.com\/network-policy=none \(2 of 2 nodes\)/);
  });

  it('reads the live cluster, falling back to pods when DaemonSets are forbidden', async () => {
    const calicoPod: V1Pod = { metadata: { namespace: 'calico-system', name: 'calico-node-x1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'calico-node', uid: '1' }] }, spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3' }] }, status: { phase: 'Running' } };
    // Decided on the status code: the message says nothing about 403.
    const forbidden = fakeCluster({ daemonSets: async () => Promise.reject(new KubeApiError(403, 'Forbidden', 'no', 'GET', '/apis/apps/v1/daemonsets')), pods: async () => [calicoPod] });
    const run = await runCli(['preflight', '-o', 'json'], { cluster: forbidden });
    const finding = JSON.parse(run.stdout);
    assert.equal(run.exitCode, 0);
    assert.deepEqual(finding.engines.map((e: { engine: string; source: string }) => [e.engine, e.source]), [['Calico', 'Pod calico-system/calico-node (Running)']]);
  });

  it('says which guardrail backend Auto would pick and what each explicit one would do, from the CRDs and the engine', async () => {
    const cilium: V1DaemonSet = { metadata: { namespace: 'kube-system', name: 'cilium' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.18.2' }] } } }, status: { desiredNumberScheduled: 3, numberReady: 3, currentNumberScheduled: 3, numberMisscheduled: 0 } };
    const crd = (name: string, version: string) => ({ metadata: { name }, spec: { versions: [{ name: version, served: true }] }, status: { conditions: [{ type: 'Established', status: 'True' }] } });
    const cluster = fakeCluster({ daemonSets: async () => [cilium], crds: async () => [crd('ciliumclusterwidenetworkpolicies.cilium.io', 'v2'), crd('clusternetworkpolicies.policy.networking.k8s.io', 'v1alpha2')] });
    const json = JSON.parse((await runCli(['preflight', '-o', 'json'], { cluster })).stdout);
    assert.equal(json.guardrails.auto.backend, 'Cilium');
    assert.deepEqual(json.guardrails.backends.map((b: { backend: string; effective: string }) => [b.backend, b.effective]), [['Cilium', 'Cilium'], ['ClusterNetworkPolicy', 'NetworkPolicy'], ['Calico', 'NetworkPolicy']]);
    const text = (await runCli(['preflight'], { cluster })).stdout;
    assert.match(text, /^Guardrail backend: Auto would pick Cilium$/m);
    assert.match(text, /^  - backend Cilium: Cilium guardrails \(spec\.guardrails\.backend is Cilium\)$/m);
    assert.match(text, /^  - backend ClusterNetworkPolicy: spec\.guardrails\.backend is ClusterNetworkPolicy and its API is installed, but the detected engine \(Cilium 1\.18\.2\) does not enforce it: falling back to per-namespace NetworkPolicies$/m);
    assert.match(text, /^  - backend Calico: spec\.guardrails\.backend is Calico but tiers\.projectcalico\.org and globalnetworkpolicies\.projectcalico\.org are not installed/m);
  });

  it('reads CustomResourceDefinitions from --inventory, naming a malformed one', async () => {
    const file = tmpFile('crd.yaml', 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: 7}\n');
    await expectInputError(['preflight', '--inventory', file], /crd\.yaml.*metadata\.name/);
  });

  it('live: no engine exits 2', async () => {
    const ds: V1DaemonSet = { metadata: { namespace: 'kube-system', name: 'kube-proxy' }, spec: { selector: {}, template: {} } };
    const run = await runCli(['preflight', '--kubeconfig', 'kc'], { cluster: fakeCluster({ daemonSets: async () => [ds] }) });
    assert.equal(run.exitCode, 2);
  });

  it('ARM template: exit 0 when every cluster enforces', async () => {
    const run = await runCli(['preflight', '--arm-template', `${EX}/arm/aks-enforced.json`]);
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /^PASS prod-aks \(resources\[0\]\): networkPolicy is azure; Azure NPM is retiring: `az aks update --network-policy cilium --network-dataplane cilium` moves to Cilium/m);
  });

  it('ARM template: exit 1 naming each failing cluster', async () => {
    const run = await runCli(['preflight', '--arm-template', `${EX}/arm/aks-not-enforced.json`]);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.stdout.split('\n').filter((l) => l.startsWith('FAIL')).map((l) => l.split(' ')[1]), ['dev-aks', 'test-aks', 'edge-aks']);
  });

  it('ARM template: --parameters supplies parameter values', async () => {
    const params = tmpFile('params.json', JSON.stringify({ parameters: { networkPolicy: { value: 'none' } } }));
    const run = await runCli(['preflight', '--arm-template', `${EX}/arm/aks-enforced.json`, '--parameters', params]);
    assert.equal(run.exitCode, 1);
    assert.match(run.stdout, /^FAIL prod-aks/m);
  });

  it('ARM template: malformed JSON is one line naming the file', async () => {
    const bad = tmpFile('bad.json', '{"resources": [');
    await expectInputError(['preflight', '--arm-template', bad], /bad\.json: malformed JSON: /);
  });

  it('rejects contradictory flags', async () => {
    await expectInputError(['preflight', '--arm-template', 'x.json', '--live'], /do not combine/);
    await expectInputError(['preflight', '--parameters', 'p.json'], /only applies to --arm-template/);
  });
});
