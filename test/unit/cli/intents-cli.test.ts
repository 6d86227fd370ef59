// The intents as a user meets them on the command line: warnings (validate, render), --strict, and the
// API server's endpoints from a file (render --cluster).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segmentation-intents-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const profile = (spec: string) => `apiVersion: segmentation.dev/v1alpha1
kind: SegmentationProfile
metadata: {name: p}
spec:
${spec}`;

const NAMESPACES = file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
const OPERATORS = '  apiServer: {allowFrom: [{podSelector: {matchLabels: {role: operator}}}]}\n';
const SLICE = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kubernetes, namespace: default, labels: {kubernetes.io/service-name: kubernetes}}
addressType: IPv4
endpoints:
- addresses: [10.0.0.4]
  conditions: {ready: true}
- addresses: [10.0.0.5]
  conditions: {ready: false}
ports: [{name: https, port: 6443, protocol: TCP}]
`;

describe('segmentation validate and render: rules without effect', function () {
  this.timeout(60000);
  const noOp = file('noop.yaml', profile('  defaultDeny: {ingress: true, egress: false}\n  allow:\n  - {name: ext, from: {podSelector: {}}, to: {ipBlock: {cidr: 203.0.113.0/24}}}\n'));

  it('validate prints a warning naming file, rule and why, and exits 0 (1 with --strict)', () => {
    const plain = cli(['validate', '-p', noOp]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^warning: .*noop\.yaml#0: spec\.allow\[0\] \(rule "ext"\): has no effect: .*egress is not default-denied/m);
    assert.match(plain.stdout, /1 profile\(s\) valid, 1 warning\(s\)/);
    assert.equal(cli(['validate', '--strict', '-p', noOp]).code, 1);
  });

  it('render prints the same warning on stderr and the policies on stdout', () => {
    const { code, stdout, stderr } = cli(['render', '-p', noOp, '-n', NAMESPACES]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /spec\.allow\[0\] \(rule "ext"\): has no effect/);
    assert.ok(parseAllDocuments(stdout).length > 0);
  });
});

describe('segmentation render --cluster: the API server endpoints', function () {
  this.timeout(60000);
  const needsApi = file('api.yaml', profile(OPERATORS));

  it('fails without --cluster, naming the missing input, with nothing on stdout', () => {
    const { code, stdout, stderr } = cli(['render', '-p', needsApi, '-n', NAMESPACES]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /api\.yaml#0: spec\.apiServer\.allowFrom: .*pass it with --cluster FILE/);
    assert.equal(stderr.trim().split('\n').length, 1);
  });

  it('allows the ready endpoint addresses and ports read from an EndpointSlice file', () => {
    const { code, stdout, stderr } = cli(['render', '-p', needsApi, '-n', NAMESPACES, '--cluster', file('slice.yaml', SLICE)]);
    assert.equal(code, 0, stderr);
    const api = parseAllDocuments(stdout)
      .map((d) => d.toJS() as { metadata: { name: string }; spec: { egress: unknown[] } })
      .find((p) => p.metadata.name === 'seg.p.allow-api-server.0');
    assert.deepEqual(api!.spec.egress, [{ to: [{ ipBlock: { cidr: '10.0.0.4/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }]);
  });

  it('reads the older Endpoints object too, and says when the file has no address for the kubernetes Service', () => {
    const endpoints = file('ep.yaml', 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: kubernetes, namespace: default}\nsubsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 443, protocol: TCP}]}]\n');
    const ok = cli(['render', '-p', needsApi, '-n', NAMESPACES, '--cluster', endpoints]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /cidr: 192\.0\.2\.10\/32/);
    const other = file('other.yaml', SLICE.replace('kubernetes.io/service-name: kubernetes', 'kubernetes.io/service-name: web'));
    const missing = cli(['render', '-p', needsApi, '-n', NAMESPACES, '--cluster', other]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--cluster .*other\.yaml has no ready address for the kubernetes Service in default/);
  });

  it('validate checks a profile with spec.apiServer without the cluster file', () => {
    const { code, stdout } = cli(['validate', '-p', needsApi]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /1 profile\(s\) valid/);
  });
});

describe('segmentation validate: bad input in the new fields', function () {
  this.timeout(60000);

  it('names file, document and field for each problem, one line each, and exits 1', () => {
    const bad = file(
      'bad.yaml',
      profile(`  nodeAccess: {cidrs: ["::ffff:10.224.0.0/112"]}
  instanceMetadata: {allowFrom: [{namespaceSelector: {}}]}
  apiServer: {allowFrom: [{}]}
  allow:
  - {name: r, from: {ipBlock: {cidr: 10.0.0.0/8}}, to: {ipBlock: {cidr: 10.1.0.0/16}}}
`),
    );
    const { code, stdout } = cli(['validate', '-p', bad]);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1).map((l) => l.replace(/^.*bad\.yaml#0: /, '')).sort(), [
      'spec.allow[0].to.ipBlock: from and to cannot both be ipBlocks: one end of a rule must be pods',
      'spec.apiServer.allowFrom[0].podSelector: is required (object)',
      'spec.instanceMetadata.allowFrom[0].podSelector: is required (object)',
      'spec.nodeAccess.cidrs[0]: is an IPv4-mapped IPv6 range: write the IPv4 range instead',
    ]);
    assert.equal(lines.at(-1), '4 problem(s) found');
  });
});
