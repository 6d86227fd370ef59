import assert from 'node:assert/strict';
import { policyDrift, specKey } from '../../../src/controller/compare.js';
import { planNamespace, type ProfileView, withOwner } from '../../../src/controller/plan.js';
import { segmentationProfileSchema, type SegmentationProfileInput } from '../../../src/api/profile.js';
import { compileProfile } from '../../../src/compile/render.js';
import { renderNamespace } from '../../../src/compile/render.js';
import type { ObservedPolicy } from '../../../src/controller/compare.js';
import type { NamespaceInfo } from '../../../src/compile/select.js';

function view(name: string, spec: SegmentationProfileInput['spec'] = {}, mode?: 'DryRun'): ProfileView {
  const profile = segmentationProfileSchema.parse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name, uid: `uid-${name}`, generation: 1 }, spec: { ...spec, ...(mode ? { mode } : {}) } });
  const compiled = compileProfile(profile);
  assert.ok(compiled.ok);
  return { name, uid: `uid-${name}`, generation: 1, mode: profile.spec.mode, compiled: compiled.compiled };
}

/** What the API server hands back: defaults filled, empty lists dropped, server fields added. */
function asServerReturns(p: ReturnType<typeof withOwner>): ObservedPolicy {
  const clone = JSON.parse(JSON.stringify(p)) as ObservedPolicy & { spec: Record<string, unknown> };
  for (const dir of ['ingress', 'egress'] as const) {
    const rules = clone.spec[dir] as { ports?: { protocol?: string }[] }[] | undefined;
    for (const r of rules ?? []) for (const port of r.ports ?? []) if (port.protocol === 'TCP') delete port.protocol; // as if omitted: the server defaults TCP
  }
  clone.metadata.uid = 'server-uid';
  clone.metadata.resourceVersion = '42';
  clone.metadata.labels = { ...clone.metadata.labels, 'argocd.argoproj.io/instance': 'x' };
  return clone;
}

const ns = { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } };

describe('semantic comparison', () => {
  it('treats API-server defaults and pruned empties as equal', () => {
    assert.equal(specKey({ podSelector: {} }), specKey({ podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [] }));
    assert.equal(specKey({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }), specKey({ podSelector: {}, policyTypes: ['Egress', 'Ingress'], egress: [{ ports: [{ protocol: 'TCP', port: 53 }] }] }));
    assert.equal(specKey({ podSelector: {}, policyTypes: ['Egress', 'Ingress'] }), specKey({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
  });

  it('keeps differences that change enforcement', () => {
    assert.notEqual(specKey({ podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] }), specKey({ podSelector: {}, egress: [{ to: [{}] }] }), 'namespaceSelector {} means every namespace');
    assert.notEqual(specKey({ podSelector: {}, egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }), specKey({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }));
    assert.notEqual(specKey({ podSelector: { matchLabels: { a: 'b' } } }), specKey({ podSelector: {} }));
  });

  it('finds no drift between every rendered policy and what the server returns for it', () => {
    const p = view('base', { allow: [{ name: 'web', from: { podSelector: { matchLabels: { app: 'a' } } }, to: { podSelector: { matchLabels: { app: 'b' } } }, ports: [{ port: 80 }] }] });
    const rendered = renderNamespace(p.compiled!, ns);
    assert.ok(rendered.length >= 3);
    for (const policy of rendered) {
      const desired = withOwner(policy, p);
      assert.equal(policyDrift(desired, asServerReturns(desired)), undefined, policy.metadata.name);
    }
  });

  it('reports drift in spec, our labels, annotations and ownerReference, ignoring others\' labels', () => {
    const p = view('base');
    const desired = withOwner(renderNamespace(p.compiled!, ns)[0]!, p);
    const edited = asServerReturns(desired);
    (edited.spec as Record<string, unknown>).policyTypes = ['Ingress'];
    assert.equal(policyDrift(desired, edited), 'spec');
    const relabelled = asServerReturns(desired);
    relabelled.metadata.labels!['segmentation.dev/purpose'] = 'other';
    assert.equal(policyDrift(desired, relabelled), 'labels');
    const orphaned = asServerReturns(desired);
    orphaned.metadata.ownerReferences = [{ ...orphaned.metadata.ownerReferences![0]!, uid: 'old' }];
    assert.equal(policyDrift(desired, orphaned), 'ownerReferences');
    const annotated = asServerReturns(desired);
    annotated.metadata.annotations = {};
    assert.equal(policyDrift(desired, annotated), 'annotations');
  });
});

describe('planNamespace', () => {
  const observe = (profiles: ProfileView[]) => profiles.flatMap((p) => renderNamespace(p.compiled!, ns).map((r) => asServerReturns(withOwner(r, p))));

  it('creates everything in an empty namespace and nothing once it converged', () => {
    const p = view('base');
    const first = planNamespace(ns, [p], []);
    assert.equal(first.create.length, renderNamespace(p.compiled!, ns).length);
    assert.equal(first.update.length + first.delete.length, 0);
    const second = planNamespace(ns, [p], observe([p]));
    assert.deepEqual([second.create.length, second.update.length, second.delete.length], [0, 0, 0]);
    assert.equal(second.unchanged, first.create.length);
  });

  it('deletes policies of deleted profiles and of profiles that no longer select the namespace', () => {
    const p = view('base');
    const existing = observe([p]);
    const gone = planNamespace(ns, [], existing);
    assert.equal(gone.delete.length, existing.length);
    const narrowed = view('base', { namespaceSelector: { matchLabels: { tier: 'prod' } } });
    assert.equal(planNamespace(ns, [narrowed], existing).delete.length, existing.length);
    const optedOut = planNamespace({ name: ns.name, labels: { ...ns.labels, 'segmentation.dev/ignore': 'true' } }, [p], existing);
    assert.equal(optedOut.delete.length, existing.length);
  });

  it('deletes a renamed rule\'s old policy and creates the new one', () => {
    const rule = (name: string) => ({ name, from: { podSelector: { matchLabels: { app: 'a' } } }, to: { podSelector: { matchLabels: { app: 'b' } } } });
    const before = view('base', { allow: [rule('old')] });
    const after = view('base', { allow: [rule('new')] });
    const plan = planNamespace(ns, [after], observe([before]));
    assert.deepEqual(plan.delete.map((d) => d.metadata.name).sort(), ['seg.base.allow.old.egress', 'seg.base.allow.old.ingress']);
    assert.deepEqual(plan.create.map((d) => d.metadata.name).sort(), ['seg.base.allow.new.egress', 'seg.base.allow.new.ingress']);
  });

  it('DryRun profiles write nothing and leave what exists; they report would-create/update/delete', () => {
    const enforcing = view('base');
    const dry = view('base', {}, 'DryRun');
    const empty = planNamespace(ns, [dry], []);
    assert.deepEqual([empty.create.length, empty.update.length, empty.delete.length], [0, 0, 0]);
    assert.equal(empty.profiles.get('base')!.dryRun!.create.length, renderNamespace(enforcing.compiled!, ns).length);
    const frozen = planNamespace(ns, [view('base', { defaultDeny: { egress: false } }, 'DryRun')], observe([enforcing]));
    assert.equal(frozen.delete.length, 0, 'switching to DryRun keeps existing policies');
    assert.ok(frozen.profiles.get('base')!.dryRun!.delete.length > 0);
  });

  it('an invalid profile (not compiled) changes nothing', () => {
    const p = view('base');
    const invalid: ProfileView = { name: 'base', uid: p.uid, generation: 2, mode: 'Enforce' };
    const plan = planNamespace(ns, [invalid], observe([p]));
    assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 0, 0]);
  });

  it('counts a selected namespace as matched even when the profile renders nothing for it', () => {
    const remote = { name: 'to-b', from: { podSelector: {} }, to: { namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'api' } } } };
    const quiet = { defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: false } };
    const cases: [string, ProfileView, NamespaceInfo, { selected: boolean; desired: number } | undefined][] = [
      ['selects, renders nothing', view('quiet', quiet), ns, { selected: true, desired: 0 }],
      ['selects, only a rule whose destination is elsewhere', view('remote', { ...quiet, allow: [remote] }), ns, { selected: true, desired: 0 }],
      ['does not select', view('other', { ...quiet, namespaceSelector: { matchLabels: { team: 'b' } } }), ns, undefined],
      ['opted out', view('quiet', quiet), { name: ns.name, labels: { ...ns.labels, 'segmentation.dev/ignore': 'true' } }, undefined],
      ['selects and renders', view('base'), ns, { selected: true, desired: renderNamespace(view('base').compiled!, ns).length }],
    ];
    for (const [what, p, where, want] of cases) {
      const plan = planNamespace(where, [p], []);
      assert.deepEqual(plan.profiles.get(p.name), want, what);
      assert.equal(plan.create.length, want?.desired ?? 0, what);
    }
  });

  it('adds a new profile\'s policies next to another profile\'s', () => {
    const a = view('a');
    const b = view('b');
    const plan = planNamespace(ns, [a, b], observe([a]));
    assert.equal(plan.delete.length, 0);
    assert.equal(plan.create.length, renderNamespace(b.compiled!, ns).length);
  });
});

describe('compareResourceVersions', () => {
  it('orders etcd revisions numerically and refuses what it cannot compare', async () => {
    const { compareResourceVersions } = await import('../../../src/controller/expectations.js');
    assert.equal(compareResourceVersions('9', '10')! < 0, true);
    assert.equal(compareResourceVersions('100', '99')! > 0, true);
    assert.equal(compareResourceVersions('42', '42'), 0);
    assert.equal(compareResourceVersions('abc', '1'), undefined);
    assert.equal(compareResourceVersions(undefined, '1'), undefined);
  });
});
