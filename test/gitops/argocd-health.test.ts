// The Argo CD health check for SegmentationProfile (examples/gitops/argocd/argocd-cm-health.yaml), run with a
// real Lua 5.1 interpreter (Debian's lua5.1; Argo CD runs these scripts with gopher-lua, a Lua 5.1) on
// profiles whose status comes from the operator's own computeStatus. No Argo CD runs here.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { computeStatus, type NamespaceOutcome } from '../../src/controller/status.js';

const FILE = fileURLToPath(new URL('../../examples/gitops/argocd/argocd-cm-health.yaml', import.meta.url));
const KEY = 'resource.customizations.health.segmentation.dev_SegmentationProfile';
const LUA = 'lua5.1';

/** A Lua table constructor for a JSON value (null fields are left out, as Argo CD's conversion does). */
function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(luaValue).join(', ')}}`;
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== null && x !== undefined)
    .map(([k, x]) => `[${luaValue(k)}] = ${luaValue(x)}`)
    .join(', ')}}`;
}

describe('examples/gitops/ Argo CD health check for SegmentationProfile (Lua 5.1)', () => {
  let dir: string;
  let script: string;

  before(function () {
    const found = spawnSync(LUA, ['-v'], { encoding: 'utf8' });
    if (found.error || found.status !== 0) {
      throw new Error(`${LUA} is needed to run the Argo CD health check (apt-get install ${LUA}; .ci/run installs it): ${found.error?.message ?? found.stderr}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'segmentation-argocd-health-'));
    const cm = parse(readFileSync(FILE, 'utf8')) as { kind: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    assert.equal(cm.kind, 'ConfigMap');
    assert.deepEqual([cm.metadata.name, cm.metadata.namespace], ['argocd-cm', 'argocd']);
    script = join(dir, 'health.lua');
    writeFileSync(script, cm.data[KEY] ?? assert.fail(`no ${KEY} in ${FILE}`));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the script as Argo CD does (global `obj`, the script's return value is the health). */
  function health(obj: unknown): { status: string; message: string } {
    const harness = join(dir, 'run.lua');
    writeFileSync(harness, `obj = ${luaValue(obj)}\nlocal check = assert(loadfile(${luaValue(script)}))\nlocal hs = check()\nio.write(hs.status, "\\n", tostring(hs.message))\n`);
    const [status = '', message = ''] = execFileSync(LUA, [harness], { encoding: 'utf8' }).split('\n');
    return { status, message };
  }

  const now = '2026-11-30T12:00:00Z';
  const ok = (generation: number): NamespaceOutcome => ({ generation, selected: true, desired: 4, inPlace: 4 });
  const profile = (generation: number, status?: unknown) => ({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'p', generation }, spec: {}, status });

  it('parses as Lua 5.1', () => {
    execFileSync('luac5.1', ['-p', script]);
  });

  it('Progressing while the operator has written no status', () => {
    assert.equal(health(profile(1)).status, 'Progressing');
  });

  it('Healthy when the operator reports Ready for the current generation', () => {
    const status = computeStatus({ generation: 3, mode: 'Enforce', outcomes: [['a', ok(3)], ['b', ok(3)]], selected: ['a', 'b'], now });
    const h = health(profile(3, status));
    assert.deepEqual(h, { status: 'Healthy', message: '8 policies in place in 2 namespaces' });
  });

  it('Progressing with the operator\'s message while it rolls the current generation out', () => {
    const status = computeStatus({ generation: 3, mode: 'Enforce', outcomes: [['a', ok(3)], ['b', ok(2)]], selected: ['a', 'b', 'c'], now });
    assert.deepEqual(health(profile(3, status)), { status: 'Progressing', message: '1 of 3 selected namespaces reconciled for generation 3' });
  });

  it('Healthy for a DryRun profile that the operator reports Ready', () => {
    const status = computeStatus({ generation: 1, mode: 'DryRun', selected: ['a'], outcomes: [['a', { generation: 1, selected: true, desired: 4, inPlace: 0, dryRun: { create: ['x'], update: [], delete: [] } }]], now });
    assert.equal(health(profile(1, status)).status, 'Healthy');
  });

  it('Progressing while the status is for an older generation, even if it said Ready', () => {
    const status = computeStatus({ generation: 2, mode: 'Enforce', outcomes: [['a', ok(2)]], selected: ['a'], now });
    assert.equal(health(profile(3, status)).status, 'Progressing');
    // Top-level observedGeneration current but the conditions older: still not Healthy.
    assert.equal(health(profile(3, { ...status, observedGeneration: 3 })).status, 'Progressing');
    // Current observedGeneration but no conditions yet.
    assert.equal(health(profile(3, { observedGeneration: 3 })).status, 'Progressing');
  });

  it('Degraded when namespaces failed or the profile is invalid', () => {
    const failed = computeStatus({ generation: 2, mode: 'Enforce', selected: ['a', 'b'], outcomes: [['a', ok(2)], ['b', { generation: 2, selected: true, desired: 4, inPlace: 1, failure: { reason: 'Forbidden', message: 'no' } }]], now });
    const h = health(profile(2, failed));
    assert.equal(h.status, 'Degraded');
    assert.match(h.message, /1 of 2 matched namespaces failed: b \(Forbidden\)/);
    const invalid = computeStatus({ generation: 5, mode: 'Enforce', errors: ['spec.allow[0].ports[0].port: must be 1-65535'], outcomes: [], selected: [], now });
    assert.equal(health(profile(5, invalid)).status, 'Degraded');
  });
});
