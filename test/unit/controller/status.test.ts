import assert from 'node:assert/strict';
import { computeStatus, MAX_FAILED_NAMESPACES, statusEqual, type NamespaceOutcome } from '../../../src/controller/status.js';
import { namespacesForProfileEvent, profileChanged } from '../../../src/controller/mappers.js';
import type { NamespaceInfo } from '../../../src/compile/select.js';
import { segmentationProfileSchema, type SegmentationProfileInput } from '../../../src/api/profile.js';

const ok = (n: number, generation = 1): NamespaceOutcome => ({ generation, selected: true, desired: n, inPlace: n });
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';

describe('computeStatus', () => {
  it('Ready=True with counts when every namespace converged', () => {
    const s = computeStatus({ generation: 3, mode: 'Enforce', outcomes: [['a', ok(3, 3)], ['b', ok(3, 3)]], selected: ['a', 'b'], now: T0 });
    assert.equal(s.observedGeneration, 3);
    assert.equal(s.matchedNamespaces, 2);
    assert.equal(s.policies, 6);
    assert.deepEqual(s.conditions!.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [['Ready', 'True', 'Reconciled', 3], ['Degraded', 'False', 'AsExpected', 3], ['Reconciling', 'False', 'Reconciled', 3]]);
    assert.equal(s.failedNamespaces, undefined);
  });

  it('preserves lastTransitionTime while a condition keeps its status, and moves it on a transition', () => {
    const s0 = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: [], now: T0 });
    const s1 = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)], ['b', ok(3)]], selected: [], previous: s0, now: T1 });
    assert.equal(s1.conditions![0]!.lastTransitionTime, T0);
    const failing = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', { ...ok(3), inPlace: 2, failure: { reason: 'Conflict', message: 'x' } }]], selected: [], previous: s1, now: T1 });
    assert.equal(failing.conditions![0]!.status, 'False');
    assert.equal(failing.conditions![0]!.lastTransitionTime, T1);
    assert.deepEqual(failing.failedNamespaces, [{ namespace: 'a', reason: 'Conflict', message: 'x' }]);
    assert.equal(failing.conditions![1]!.status, 'True');
  });

  it('is equal to itself recomputed later (so an unchanged cluster writes no status)', () => {
    const s0 = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: [], now: T0 });
    const s1 = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: [], previous: s0, now: T1 });
    assert.ok(statusEqual(s0, s1));
    assert.ok(!statusEqual(s0, computeStatus({ generation: 2, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: [], previous: s0, now: T1 })));
  });

  it('bounds failedNamespaces', () => {
    const outcomes: [string, NamespaceOutcome][] = Array.from({ length: 50 }, (_, i) => [`ns-${String(i).padStart(2, '0')}`, { ...ok(1), inPlace: 0, failure: { reason: 'Forbidden', message: 'no' } }]);
    const s = computeStatus({ generation: 1, mode: 'Enforce', outcomes, selected: [], now: T0 });
    assert.equal(s.failedNamespaces!.length, MAX_FAILED_NAMESPACES);
    assert.match(s.conditions![0]!.message, /^50 of 50 matched namespaces failed/);
  });

  it('reports an invalid profile as Ready=False / Degraded=True with the errors', () => {
    const s = computeStatus({ generation: 2, mode: 'Enforce', errors: ['spec.allow[0].to.ipBlock.cidr: overlaps metadata'], outcomes: [], selected: [], now: T0 });
    assert.equal(s.conditions![0]!.status, 'False');
    assert.equal(s.conditions![0]!.reason, 'InvalidProfile');
    assert.match(s.conditions![0]!.message, /overlaps metadata/);
  });

  it('summarises DryRun with counts and a bounded, sorted sample', () => {
    const outcomes: [string, NamespaceOutcome][] = Array.from({ length: 10 }, (_, i) => [`ns-${i}`, { generation: 1, selected: true, desired: 3, inPlace: 0, dryRun: { create: ['x', 'y', 'z'], update: [], delete: i === 0 ? ['old'] : [] } }]);
    const s = computeStatus({ generation: 1, mode: 'DryRun', outcomes, selected: [], now: T0 });
    assert.equal(s.dryRun!.wouldCreate, 30);
    assert.equal(s.dryRun!.wouldDelete, 1);
    assert.equal(s.dryRun!.sample.length, 20);
    assert.equal(s.conditions![0]!.reason, 'DryRun');
  });

  describe('Ready only when every selected namespace has this generation in place', () => {
    const cond = (s: ReturnType<typeof computeStatus>, type: string) => s.conditions!.find((c) => c.type === type)!;

    it('a new profile: Progressing (Reconciling=True) until each selected namespace is reconciled, then Ready', () => {
      const partial = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: ['a', 'b'], now: T0 });
      assert.deepEqual([cond(partial, 'Ready').status, cond(partial, 'Ready').reason], ['False', 'Progressing']);
      assert.equal(cond(partial, 'Ready').message, '1 of 2 selected namespaces reconciled for generation 1');
      assert.equal(cond(partial, 'Reconciling').status, 'True');
      assert.equal(cond(partial, 'Degraded').status, 'False');
      const done = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)], ['b', ok(3)]], selected: ['a', 'b'], previous: partial, now: T1 });
      assert.deepEqual([cond(done, 'Ready').status, cond(done, 'Reconciling').status], ['True', 'False']);
    });

    it('a spec change: outcomes of the previous generation do not count, even after a Ready', () => {
      const before = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: ['a'], now: T0 });
      const after = computeStatus({ generation: 2, mode: 'Enforce', outcomes: [['a', ok(3, 1)]], selected: ['a'], previous: before, now: T1 });
      assert.deepEqual([cond(after, 'Ready').status, cond(after, 'Ready').reason, after.observedGeneration], ['False', 'Progressing', 2]);
    });

    it('policies not all in place (no failure recorded) is Progressing, whatever the previous Ready said', () => {
      const before = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', ok(3)]], selected: ['a'], now: T0 });
      const after = computeStatus({ generation: 1, mode: 'Enforce', outcomes: [['a', { ...ok(3), inPlace: 2 }]], selected: ['a'], previous: before, now: T1 });
      assert.equal(cond(after, 'Ready').reason, 'Progressing');
    });

    it('after a restart (no outcome yet) a Ready of the same generation is kept as it was: no write', () => {
      const before = computeStatus({ generation: 4, mode: 'Enforce', outcomes: [['a', ok(3, 4)], ['b', ok(3, 4)]], selected: ['a', 'b'], now: T0 });
      const withOthers = { ...before, conditions: [...before.conditions!, { type: 'RulesEffective', status: 'True' as const, reason: 'AllRulesEffective', message: '', observedGeneration: 4, lastTransitionTime: T0 }] };
      const restarted = computeStatus({ generation: 4, mode: 'Enforce', outcomes: [['a', ok(3, 4)]], selected: ['a', 'b'], previous: withOthers, now: T1 });
      assert.ok(statusEqual(before, restarted));
      // A Ready of an older generation is not kept.
      const newer = computeStatus({ generation: 5, mode: 'Enforce', outcomes: [], selected: ['a', 'b'], previous: before, now: T1 });
      assert.equal(cond(newer, 'Ready').reason, 'Progressing');
    });
  });
});

function profile(spec: SegmentationProfileInput['spec'], generation = 1) {
  return segmentationProfileSchema.parse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'p', uid: 'u', generation }, spec });
}

describe('profile event mapper', () => {
  const namespaces: NamespaceInfo[] = [
    { name: 'prod-1', labels: { env: 'prod' } },
    { name: 'dev-1', labels: { env: 'dev' } },
    { name: 'other', labels: {} },
    { name: 'kube-system', labels: { env: 'prod' } },
  ];

  it('enqueues namespaces matching the old OR the new selector, plus namespaces holding the profile\'s policies', () => {
    const before = profile({ namespaceSelector: { matchLabels: { env: 'prod' } } });
    const after = profile({ namespaceSelector: { matchLabels: { env: 'dev' } } }, 2);
    assert.deepEqual([...namespacesForProfileEvent(before, after, namespaces, [])].sort(), ['dev-1', 'prod-1']);
    assert.deepEqual([...namespacesForProfileEvent(before, undefined, namespaces, ['stale'])].sort(), ['prod-1', 'stale']);
    assert.deepEqual([...namespacesForProfileEvent(undefined, after, namespaces, [])], ['dev-1']);
  });

  it('ignores status-only updates', () => {
    const p = profile({});
    const withStatus = { ...p, status: { observedGeneration: 1 } };
    assert.equal(profileChanged(p, withStatus), false);
    assert.equal(profileChanged(p, profile({ mode: 'DryRun' }, 2)), true);
    assert.equal(profileChanged(undefined, p), true);
  });
});
