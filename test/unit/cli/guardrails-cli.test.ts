// render --backend, audit, explain and matrix with guardrails as a user meets them: the guardrail objects
// come first, the per-namespace metadata policy is left to them, and a team's allow-all egress policy is
// reported as blocked by guardrail instead of exposed; guardrails read from files count the same way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../../../src/cli/input.js';
import { GuardrailReadError, type ClusterReader, type GuardrailWire } from '../../../src/kube/cluster-reader.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { GUARDRAIL_KINDS } from '../../../src/kube/guardrail-api.js';
import { runCli } from '../analysis/fixtures/run-cli.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segmentation-guardrails-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PROFILE = file('p.yaml', 'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: p}\nspec:\n  defaultDeny: {ingress: true, egress: false}\n  nodeAccess: {cidrs: [10.224.0.0/16]}\n');
const NAMESPACES = file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
const REOPENING = file('team.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: team-allow-all, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]\n');

describe('cli: guardrails backends', function () {
  this.timeout(60_000);

  const kinds = (stdout: string) => parseAllDocuments(stdout).map((d) => `${(d.toJSON() as { kind: string }).kind}/${(d.toJSON() as { metadata: { name: string } }).metadata.name}`);

  it('render without --backend (Auto) renders NetworkPolicies only, as before', () => {
    const run = cli(['render', '-p', PROFILE, '-n', NAMESPACES]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(kinds(run.stdout), ['NetworkPolicy/seg.p.deny-all', 'NetworkPolicy/seg.p.deny-metadata']);
  });

  it('render --backend Cilium puts the CCNPs first and leaves the metadata block to them', () => {
    const run = cli(['render', '-p', PROFILE, '-n', NAMESPACES, '--backend', 'Cilium']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(kinds(run.stdout), ['CiliumClusterwideNetworkPolicy/seg.p.deny-metadata', 'CiliumClusterwideNetworkPolicy/seg.p.deny-node-ports', 'NetworkPolicy/seg.p.deny-all']);
  });

  it('render --backend rejects an unknown backend', () => {
    const run = cli(['render', '-p', PROFILE, '-n', NAMESPACES, '--backend', 'Antrea']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Allowed choices are Auto, NetworkPolicy, Cilium, ClusterNetworkPolicy, Calico/);
  });

  it('audit: the team policy exposes the namespace with NetworkPolicy alone (exit 2)', async () => {
    const run = await runCli(['audit', '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING]);
    assert.equal(run.exitCode, 2, run.stdout);
    assert.match(run.stdout, /shop: EXPOSED/);
  });

  for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico']) {
    it(`audit --backend ${backend}: the same reopening is blocked by guardrail (exit 0)`, async () => {
      const run = await runCli(['audit', '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--backend', backend, '--metadata-cidr', '169.254.169.254/32', '--metadata-cidr', 'fd00:ec2::254/128']);
      assert.equal(run.exitCode, 0, run.stdout);
      assert.match(run.stdout, /shop: ok: blocked by guardrail/);
      assert.match(run.stdout, /blocked by guardrail: \S+ \S*seg\.p\.deny-metadata/);
      assert.match(run.stdout, /shop\/team-allow-all egress\[0\] opens 169\.254\.169\.254\/32/);
      // The audit's default list also has Alibaba's 100.100.100.200, which this profile does not block.
      const all = await runCli(['audit', '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--backend', backend]);
      assert.equal(all.exitCode, 2, all.stdout);
    });
  }

  describe('explain and matrix', () => {
    const metadataFlow = ['explain', '--from', 'shop/app=web', '--to', '169.254.169.254', '--port', '80'];

    it('explain --backend Cilium: the metadata flow the team policy opens is denied by the guardrail, which is named (exit 2 with --exit-code)', async () => {
      const plain = await runCli([...metadataFlow, '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--exit-code']);
      assert.equal(plain.exitCode, 0, plain.stdout);
      const run = await runCli([...metadataFlow, '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--backend', 'Cilium', '--exit-code']);
      assert.equal(run.error, undefined);
      assert.equal(run.exitCode, 2, run.stdout);
      assert.match(run.stdout, /: DENIED$/m);
      assert.match(run.stdout, /egress from shop\/\{app=web\}: DENIED by guardrail CiliumClusterwideNetworkPolicy seg\.p\.deny-metadata egressDeny\[0\] \(NetworkPolicy alone: allowed by shop\/team-allow-all egress\[0\]/);
    });

    it('explain -o json carries each side\'s guardrail verdict', async () => {
      const run = await runCli([...metadataFlow, '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--backend', 'ClusterNetworkPolicy', '-o', 'json']);
      const out = JSON.parse(run.stdout) as { allowed: boolean; egress: { status: string }; guardrails: { egress: { allowed: boolean; stage: string; by: string } } };
      assert.deepEqual([out.allowed, out.egress.status, out.guardrails.egress.stage, out.guardrails.egress.allowed], [false, 'allowed', 'admin', false]);
      assert.match(out.guardrails.egress.by, /^ClusterNetworkPolicy seg\.p\.deny-metadata egress\[0\]/);
    });

    const CCNP = file(
      'ccnp.yaml',
      [
        'apiVersion: cilium.io/v2',
        'kind: CiliumClusterwideNetworkPolicy',
        'metadata: {name: platform-deny-metadata}',
        'spec:',
        '  endpointSelector: {matchExpressions: [{key: io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}]}',
        '  enableDefaultDeny: {egress: false, ingress: false}',
        '  egressDeny: [{toCIDR: [169.254.169.254/32]}]',
        '',
      ].join('\n'),
    );

    it('explain reads guardrail objects from the input files (no profiles, no --backend)', async () => {
      const run = await runCli([...metadataFlow, '--namespaces', NAMESPACES, '--policies', REOPENING, '--policies', CCNP]);
      assert.equal(run.error, undefined);
      assert.match(run.stdout, /egress from shop\/\{app=web\}: DENIED by guardrail CiliumClusterwideNetworkPolicy platform-deny-metadata egressDeny\[0\]/);
      const other = await runCli(['explain', '--from', 'shop/app=web', '--to', '203.0.113.10', '--port', '443', '--namespaces', NAMESPACES, '--policies', REOPENING, '--policies', CCNP]);
      assert.match(other.stdout, /: ALLOWED$/m, 'an allowed flow stays allowed');
      assert.match(other.stdout, /egress from shop\/\{app=web\}: allowed by shop\/team-allow-all egress\[0\] \(all peers\)/);
    });

    it('audit --live counts the guardrail objects the cluster serves; one the analysis cannot read is a one-line error naming it', async () => {
      const ccnp = parseAllDocuments(readFileSync(CCNP, 'utf8'))[0]!.toJSON() as GuardrailWire;
      const cluster = (guardrails: GuardrailWire[]): ClusterReader => ({
        description: 'test-cluster',
        namespaces: async () => [{ metadata: { name: 'shop' } }],
        pods: async () => [{ metadata: { namespace: 'shop', name: 'web', labels: { app: 'web' } }, spec: { containers: [] }, status: { podIP: '10.1.0.7' } }],
        networkPolicies: async () => [parseAllDocuments(readFileSync(REOPENING, 'utf8'))[0]!.toJSON()],
        daemonSets: async () => [],
        nodes: async () => [],
        crds: async () => [],
        guardrails: async () => guardrails,
      });
      const args = ['audit', '--live', '--metadata-cidr', '169.254.169.254/32'];
      const exposed = await runCli(args, { cluster: cluster([]) });
      assert.equal(exposed.exitCode, 2, exposed.stdout);
      const blocked = await runCli(args, { cluster: cluster([ccnp]) });
      assert.equal(blocked.exitCode, 0, blocked.stdout);
      assert.match(blocked.stdout, /blocked by guardrail: CiliumClusterwideNetworkPolicy platform-deny-metadata egressDeny\[0\]/);
      // A CCNP with allow rules (common on Cilium clusters) cannot be evaluated: one line naming it and the ways out.
      const allowing = { ...ccnp, metadata: { name: 'allow-dns' }, spec: { ...(ccnp.spec as object), egress: [{ toEndpoints: [{}] }] } };
      const bad = await runCli(args, { cluster: cluster([ccnp, allowing]) });
      assert.ok(bad.error instanceof InputError, String(bad.error));
      assert.match(bad.error.message, /^test-cluster: CiliumClusterwideNetworkPolicy\/allow-dns: spec\.egress: .*--no-live-guardrails/);
      assert.doesNotMatch(bad.error.message, /\n/);
      // Leaving the cluster's guardrails out, or replacing that object with a file, gets an answer.
      const without = await runCli([...args, '--no-live-guardrails'], { cluster: cluster([ccnp, allowing]) });
      assert.equal(without.exitCode, 2, without.stdout);
      const replacement = file('allow-dns.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: allow-dns}\nspec:\n  endpointSelector: {}\n  enableDefaultDeny: {egress: false, ingress: false}\n  egressDeny: [{toCIDR: [192.0.2.1/32]}]\n');
      const replaced = await runCli([...args, '--policies', replacement], { cluster: cluster([ccnp, allowing]) });
      assert.equal(replaced.error, undefined, replaced.error?.message);
      assert.equal(replaced.exitCode, 0, replaced.stdout);
    });

    it('--live: a guardrail kind that cannot be read (403 for a view-only user) is one line naming the kind and --no-live-guardrails', async () => {
      const forbidden = new GuardrailReadError(GUARDRAIL_KINDS[0]!, new KubeApiError(403, 'Forbidden', 'cannot list', 'GET', '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies'));
      const cluster: ClusterReader = {
        description: 'test-cluster',
        namespaces: async () => [{ metadata: { name: 'shop' } }],
        pods: async () => [],
        networkPolicies: async () => [],
        daemonSets: async () => [],
        nodes: async () => [],
        crds: async () => [],
        guardrails: async () => Promise.reject(forbidden),
      };
      const run = await runCli(['audit', '--live'], { cluster });
      assert.ok(run.error instanceof InputError, String(run.error));
      assert.equal(run.error.message, 'test-cluster: cannot read guardrail objects: ciliumclusterwidenetworkpolicies.cilium.io (cilium.io/v2): HTTP 403 Forbidden; --no-live-guardrails leaves them out');
      const without = await runCli(['audit', '--live', '--no-live-guardrails'], { cluster });
      assert.equal(without.error, undefined, without.error?.message);
    });

    it('audit counts guardrails read from files too', async () => {
      const run = await runCli(['audit', '--namespaces', NAMESPACES, '--policies', REOPENING, '--policies', CCNP, '--metadata-cidr', '169.254.169.254/32']);
      assert.equal(run.exitCode, 0, run.stdout);
      assert.match(run.stdout, /blocked by guardrail: CiliumClusterwideNetworkPolicy platform-deny-metadata egressDeny\[0\]/);
    });

    it('matrix --backend: the metadata cell turns denied, the other cells do not change', async () => {
      const args = ['matrix', '--pod', 'shop/app=web', '--profiles', PROFILE, '--namespaces', NAMESPACES, '--policies', REOPENING, '--no-dns', '-o', 'json'];
      const cells = async (extra: string[]) => {
        const run = await runCli([...args, ...extra]);
        assert.equal(run.error, undefined);
        return (JSON.parse(run.stdout) as { cells: { to: string; allowed: boolean }[] }).cells.map((c) => `${c.to}: ${c.allowed}`);
      };
      const before = await cells([]);
      assert.deepEqual(await cells(['--backend', 'Calico']), before.map((c) => (c.startsWith('metadata ') ? c.replace('true', 'false') : c)));
      assert.deepEqual(before.filter((c) => c.startsWith('metadata ')), ['metadata 169.254.169.254:80: true', 'metadata [fd00:ec2::254]:80: true']);
    });

    it('refuses what it cannot evaluate, in one line naming file and field', async () => {
      const v1 = file('v1.yaml', 'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {name: x}\nspec: {tier: guard, types: [Egress]}\n');
      const allow = file('allow.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: {}, egress: [{toEntities: [world]}]}\n');
      for (const [path, pattern] of [
        [v1, /v1\.yaml#0: apiVersion: must be projectcalico\.org\/v3/],
        [allow, /allow\.yaml#0: spec\.egress: .*allow rules are not evaluated/],
      ] as const) {
        const run = await runCli([...metadataFlow, '--namespaces', NAMESPACES, '--policies', path]);
        assert.ok(run.error instanceof InputError, run.error?.stack);
        assert.match(run.error.message, pattern);
        assert.doesNotMatch(run.error.message, /\n/);
      }
      const noProfiles = await runCli([...metadataFlow, '--namespaces', NAMESPACES, '--backend', 'Cilium']);
      assert.match(noProfiles.error?.message ?? '', /--backend: says which backend --profiles render for; pass --profiles too/);
    });
  });
});
