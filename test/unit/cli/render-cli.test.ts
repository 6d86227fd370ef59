// The CLI as a user runs it: a real process, its stdout, stderr and exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segmentation-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, input: stdin, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const NAMESPACES = 'examples/namespaces.yaml';
const PROFILES = 'examples/aks-guidance.yaml';

describe('segmentation render', function () {
  this.timeout(60000);

  it('renders the example as multi-document YAML, only for targeted namespaces', () => {
    const { code, stdout, stderr } = cli(['render', '--profiles', PROFILES, '--namespaces', NAMESPACES]);
    assert.equal(code, 0, stderr);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string; name: string } });
    assert.ok(docs.length > 0);
    assert.ok(docs.every((d) => d.kind === 'NetworkPolicy'));
    // shop is targeted; sandbox-alice is excluded by glob, legacy opted out, kube-system is a system namespace.
    assert.deepEqual([...new Set(docs.map((d) => d.metadata.namespace))], ['shop']);
    assert.ok(docs.some((d) => d.metadata.name === 'seg.baseline.deny-all'));
  });

  it('prints a v1 List with --output json, reading namespaces from stdin', () => {
    const namespaces = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'segmentation.dev/tier': 'apps' } } }] });
    const { code, stdout, stderr } = cli(['render', '-p', PROFILES, '-n', '-', '-o', 'json'], namespaces);
    assert.equal(code, 0, stderr);
    const list = JSON.parse(stdout) as { kind: string; items: { metadata: { namespace: string } }[] };
    assert.equal(list.kind, 'List');
    assert.ok(list.items.length >= 2);
    assert.ok(list.items.every((i) => i.metadata.namespace === 'shop'));
  });

  const badInputs: [string, string, RegExp][] = [
    ['malformed YAML', 'apiVersion: segmentation.dev/v1alpha1\nkind: [unclosed\n', /bad\.yaml: malformed YAML at line \d+/],
    ['wrong kind', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', /bad\.yaml#0: kind: expected SegmentationProfile/],
    ['invalid CIDR', 'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: x}\nspec:\n  instanceMetadata: {cidrs: ["169.254.169.254"]}\n', /bad\.yaml#0: spec\.instanceMetadata\.cidrs\[0\]: must be a CIDR/],
    ['unknown field', 'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: x}\nspec:\n  defaultDenny: {}\n', /bad\.yaml#0: spec\.defaultDenny: unknown field/],
    ['uncompilable rule', 'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: x}\nspec:\n  allow: [{name: imds, from: {podSelector: {}}, to: {ipBlock: {cidr: 169.254.169.254/32}}}]\n', /bad\.yaml#0: spec\.allow\[0\]\.to\.ipBlock\.cidr: .*instance-metadata/],
  ];
  for (const [title, text, message] of badInputs) {
    it(`fails with one clear line and exit 1 on ${title}`, () => {
      const { code, stdout, stderr } = cli(['render', '-p', file('bad.yaml', text), '-n', NAMESPACES]);
      assert.equal(code, 1);
      assert.equal(stdout, '', 'nothing is printed to stdout: no half output');
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, `expected one line, got:\n${stderr}`);
      assert.doesNotMatch(stderr, /\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    });
  }

  it('names a missing file', () => {
    const { code, stderr } = cli(['render', '-p', join(dir, 'nope.yaml'), '-n', NAMESPACES]);
    assert.equal(code, 1);
    assert.match(stderr, /nope\.yaml: cannot read file \(ENOENT\)/);
  });

  it('rejects a namespaces file that holds something else', () => {
    const { code, stderr } = cli(['render', '-p', PROFILES, '-n', file('ns.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n')]);
    assert.equal(code, 1);
    assert.match(stderr, /ns\.yaml#0: kind: must be Namespace/);
  });
});

describe('segmentation validate', function () {
  this.timeout(60000);

  it('accepts the example profiles', () => {
    const { code, stdout } = cli(['validate', '-p', PROFILES]);
    assert.equal(code, 0);
    assert.match(stdout, /1 profile\(s\) valid/);
  });

  it('prints every problem with file, document and field, and exits 1', () => {
    const text = [
      'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: ok}\nspec: {}',
      'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: bad}\nspec:\n  mode: Audit\n  allow: [{name: r, from: {podSelector: {}}, to: {podSelector: {}}, ports: [{port: 8080, endPort: 80}]}]',
    ].join('\n---\n');
    const { code, stdout } = cli(['validate', '-p', file('two.yaml', text)]);
    assert.equal(code, 1);
    assert.match(stdout, /two\.yaml#1: spec\.mode: /);
    assert.match(stdout, /two\.yaml#1: spec\.allow\[0\]\.ports\[0\]\.endPort: must be >= port \(8080\)/);
    assert.match(stdout, /2 problem\(s\) found/);
  });
});

