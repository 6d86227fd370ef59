// render --backend and audit --backend as a user meets them: the guardrail objects come first, the
// per-namespace metadata policy is left to them, and a team's allow-all egress policy is reported as
// blocked by guardrail instead of exposed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
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
});
