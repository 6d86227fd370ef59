// The pure parts of the operator's guardrails: the effective backend, the plan (desired vs observed ->
// create / apply / delete), ownership (ours, not ours, Calico's shared Tier), the Guardrails condition.
import assert from 'node:assert/strict';
import { API_VERSION, KIND } from '../../../src/api/profile.js';
import { GUARDRAIL_RESOURCES } from '../../../src/compile/guardrails/index.js';
import { CALICO_TIER } from '../../../src/compile/guardrails/calico.js';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL, PURPOSE_LABEL, RENDERED_HASH_ANNOTATION } from '../../../src/compile/labels.js';
import { effectiveBackend } from '../../../src/controller/guardrail-backend.js';
import { guardrailEventReason, guardrailsCondition, type GuardrailOutcome } from '../../../src/controller/guardrail-condition.js';
import { covers, guardrailDrift, guardrailKey, isOurs, perNamespaceBlocksInPlace, planGuardrails, profileDesire, SHARED_TIER_KEY, tierDesire, type KeyDesire } from '../../../src/controller/guardrail-plan.js';
import type { NamespaceOutcome } from '../../../src/controller/status.js';
import { servedKinds } from '../../../src/controller/guardrail-apis.js';
import { understandProfile, ProfileRegistry } from '../../../src/controller/profiles.js';
import { transitionEvents } from '../../../src/controller/profile-status.js';
import type { DesiredGuardrail, ObservedGuardrail } from '../../../src/kube/guardrail-api.js';
import type { KubeClient } from '../../../src/kube/client.js';
import { apiErrorFrom } from '../../../src/kube/errors.js';
import { GuardrailWork } from '../../../src/controller/guardrail-work.js';
import { createLogger } from '../../../src/controller/log.js';

const CCNP = GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies;
const CNP = GUARDRAIL_RESOURCES.clusterNetworkPolicies;
const CALICO = [GUARDRAIL_RESOURCES.calicoTiers, GUARDRAIL_RESOURCES.calicoGlobalNetworkPolicies];
const ciliumEngine = { engine: 'Cilium', source: 'DaemonSet kube-system/cilium (3/3 ready)', ready: true, version: '1.18.2' };

const raw = (name: string, spec: Record<string, unknown>, uid = `uid-${name}`) => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name, uid, generation: 2 }, spec: { namespaceSelector: { matchLabels: { team: 'a' } }, ...spec } });

describe('effectiveBackend', () => {
  const served = (...names: string[]) => ({ served: new Set(names) });
  const table: [string, Parameters<typeof effectiveBackend>, string, boolean][] = [
    ['NetworkPolicy stays NetworkPolicy whatever is installed', ['NetworkPolicy', served(CCNP, CNP)], 'NetworkPolicy', false],
    ['Cilium with its CRD', ['Cilium', served(CCNP)], 'Cilium', false],
    ['Cilium without its CRD falls back, saying what is missing', ['Cilium', served(CNP)], 'NetworkPolicy', true],
    ['ClusterNetworkPolicy without its CRD falls back', ['ClusterNetworkPolicy', served(CCNP)], 'NetworkPolicy', true],
    ['Calico needs both the Tier and the GlobalNetworkPolicy API', ['Calico', served(CALICO[1]!)], 'NetworkPolicy', true],
    ['Calico with both', ['Calico', served(...CALICO)], 'Calico', false],
    ['Auto before the first scan, nothing in place: NetworkPolicy', ['Auto', served(CCNP)], 'NetworkPolicy', false],
    ['Auto before the first scan keeps the backend in place (no write at restart)', ['Auto', served(CCNP), 'Cilium'], 'Cilium', false],
    ['Auto before the first scan does not keep a backend whose API went', ['Auto', served(CNP), 'Cilium'], 'NetworkPolicy', false],
    ['Auto on Cilium with the CCNP CRD: Cilium', ['Auto', { served: new Set([CCNP]), engines: [ciliumEngine] }], 'Cilium', false],
    ['Auto on Cilium without it: NetworkPolicy', ['Auto', { served: new Set([CNP]), engines: [ciliumEngine] }], 'NetworkPolicy', false],
    ['Auto without an engine: NetworkPolicy', ['Auto', { served: new Set([CCNP]), engines: [] }], 'NetworkPolicy', false],
    ['Cilium asked for, its CRD installed, Cilium found: Cilium', ['Cilium', { served: new Set([CCNP]), engines: [ciliumEngine] }], 'Cilium', false],
  ];
  for (const [what, args, backend, missing] of table)
    it(what, () => {
      const d = effectiveBackend(...args);
      assert.equal(d.backend, backend, d.reason);
      assert.equal(d.missing !== undefined, missing, d.reason);
      if (missing) assert.match(d.reason, /not installed: falling back to per-namespace NetworkPolicies/);
    });
});

describe('an explicit backend the detected engine cannot enforce', () => {
  const calico = { engine: 'Calico', source: 'DaemonSet calico-system/calico-node (3/3 ready)', version: '3.30.1' };
  const cases: [string, Parameters<typeof effectiveBackend>, string][] = [
    ['Cilium CRDs left over on a Calico cluster: NetworkPolicy, EngineCannotEnforce', ['Cilium', { served: new Set([CCNP]), engines: [calico] }], 'NetworkPolicy'],
    ['ClusterNetworkPolicy on Calico older than 3.32: NetworkPolicy', ['ClusterNetworkPolicy', { served: new Set([CNP]), engines: [calico] }], 'NetworkPolicy'],
    ['ClusterNetworkPolicy on Calico of unknown version: trusted', ['ClusterNetworkPolicy', { served: new Set([CNP]), engines: [{ ...calico, version: undefined }] }], 'ClusterNetworkPolicy'],
    ['ClusterNetworkPolicy on Cilium 1.19: NetworkPolicy', ['ClusterNetworkPolicy', { served: new Set([CNP]), engines: [{ ...ciliumEngine, version: '1.19.3' }] }], 'NetworkPolicy'],
    ['before the first scan the explicit choice is trusted', ['Cilium', { served: new Set([CCNP]) }], 'Cilium'],
    ['no engine detected: nothing enforces either way, the choice stands', ['Cilium', { served: new Set([CCNP]), engines: [] }], 'Cilium'],
  ];
  for (const [what, args, backend] of cases)
    it(what, () => {
      const d = effectiveBackend(...args);
      assert.equal(d.backend, backend, d.reason);
      if (backend === 'NetworkPolicy') {
        assert.match(d.reason, /does not enforce it: falling back to per-namespace NetworkPolicies/);
        const cond = guardrailsCondition({ decision: d, outcome: undefined, generation: 1, previous: [], now: '2026-11-30T00:00:00Z' })!;
        assert.deepEqual([cond.status, cond.reason, guardrailEventReason(cond)], ['False', 'EngineCannotEnforce', 'GuardrailEngineCannotEnforce']);
      }
    });
});

describe('perNamespaceBlocksInPlace (break after make on the way back)', () => {
  const o = (extra: Partial<NamespaceOutcome> = {}): NamespaceOutcome => ({ generation: 1, backend: 'NetworkPolicy', selected: true, desired: 3, inPlace: 3, ...extra });
  const cases: [string, string[], [string, NamespaceOutcome][], boolean][] = [
    ['every selected namespace compiled for NetworkPolicy with its policies', ['a', 'b'], [['a', o()], ['b', o()]], true],
    ['a selected namespace not reconciled yet', ['a', 'b'], [['a', o()]], false],
    ['one still compiled for the cluster-scoped backend', ['a'], [['a', o({ backend: 'Cilium' })]], false],
    ['one failed', ['a'], [['a', o({ failure: { reason: 'Forbidden', message: 'no' }, inPlace: 2 })]], false],
    ['one with a policy missing', ['a'], [['a', o({ inPlace: 2 })]], false],
    ['nothing selected', [], [], true],
  ];
  for (const [what, selected, outcomes, want] of cases) it(what, () => assert.equal(perNamespaceBlocksInPlace(selected, new Map(outcomes)), want));
});

describe('ProfileRegistry and the guardrail facts', () => {
  it('compiles for the effective backend, make before break: the per-namespace metadata block goes only once the guardrail objects are all there', () => {
    const registry = new ProfileRegistry();
    const spec = { defaultDeny: { ingress: true, egress: false }, guardrails: { backend: 'Cilium' } };
    const { after } = registry.set(raw('p', spec));
    assert.equal(after.view.compiled?.backend, 'NetworkPolicy');
    assert.equal(after.guardrails?.missing?.[0], CCNP);
    assert.deepEqual(after.view.guardrails, { backend: 'NetworkPolicy', objects: [] });
    const present = new Set<string>();
    const changed = registry.setGuardrailFacts({ served: new Set([CCNP]), present: () => present });
    assert.deepEqual(changed.map((c) => c.after.view.name), ['p']);
    const objects = registry.get('p')?.view.guardrails?.objects ?? [];
    assert.equal(registry.get('p')?.view.guardrails?.backend, 'Cilium');
    assert.ok(objects.length > 0);
    // The CCNPs are not there yet: the namespaces keep their own metadata block.
    assert.equal(registry.get('p')?.view.compiled?.backend, 'NetworkPolicy');
    assert.equal(registry.refreshGuardrails('p'), undefined, 'nothing in place yet: no change');
    for (const o of objects) present.add(`${o.kind}/${o.metadata.name}`);
    assert.ok(registry.refreshGuardrails('p'), 'all in place: recompiled');
    assert.equal(registry.get('p')?.view.compiled?.backend, 'Cilium');
    assert.equal(registry.refreshGuardrails('p'), undefined);
    // One deleted by hand: the namespaces get their block back until it is recreated.
    present.delete(`${objects[0]!.kind}/${objects[0]!.metadata.name}`);
    assert.ok(registry.refreshGuardrails('p'));
    assert.equal(registry.get('p')?.view.compiled?.backend, 'NetworkPolicy');
    assert.deepEqual(registry.setGuardrailFacts({ served: new Set([CCNP, CNP]), present: () => present }), [], 'an unrelated API changes nothing');
    assert.equal(registry.setGuardrailFacts({ served: new Set() }).length, 1, 'the CRD removed: back to NetworkPolicy');
    assert.equal(registry.get('p')?.view.guardrails?.backend, 'NetworkPolicy');
  });

  it('Auto that picks a backend the profile cannot use (a glob exclude) falls back to NetworkPolicy instead of invalidating it', () => {
    const p = understandProfile(raw('g', { excludeNamespaces: ['kube-*'] }), {}, { served: new Set([CCNP]), engines: [ciliumEngine] });
    assert.deepEqual(p.errors, []);
    assert.equal(p.view.compiled?.backend, 'NetworkPolicy');
    assert.match(p.guardrails!.reason, /cannot use it .*glob/);
  });
});

const labels = (profile: string | undefined, purpose = 'deny-metadata') => ({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...(profile ? { [PROFILE_LABEL]: profile } : {}), [PURPOSE_LABEL]: purpose });
const ours = { managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply' }] };

function observedFrom(d: DesiredGuardrail, patch: Partial<ObservedGuardrail['metadata']> = {}, spec: unknown = d.spec): ObservedGuardrail {
  return { apiVersion: d.apiVersion, kind: d.kind, metadata: { name: d.metadata.name, uid: `uid-${d.metadata.name}`, labels: { ...d.metadata.labels }, annotations: { ...d.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, ownerReferences: d.metadata.ownerReferences, ...ours, ...patch }, spec };
}

describe('planGuardrails', () => {
  const view = understandProfile(raw('p', { guardrails: { backend: 'Cilium' }, nodeAccess: { cidrs: ['10.240.0.0/16'] } }), {}, { served: new Set([CCNP]) }).view;
  const desire = profileDesire(view) as Extract<KeyDesire, { frozen: false }>;

  it('renders the profile\'s objects owned by it (controller)', () => {
    assert.equal(desire.frozen, false);
    assert.deepEqual(desire.objects.map((o) => o.metadata.name), ['seg.p.deny-metadata', 'seg.p.deny-node-ports']);
    for (const o of desire.objects) assert.deepEqual(o.metadata.ownerReferences, [{ apiVersion: API_VERSION, kind: KIND, name: 'p', uid: 'uid-p', controller: true, blockOwnerDeletion: false }]);
  });

  it('nothing observed: create all; all in place (with server defaults and foreign annotations): nothing to do', () => {
    assert.equal(planGuardrails('p', desire, []).create.length, 2);
    const defaulted = desire.objects.map((d) => observedFrom(d, {}, { ...(d.spec as object), description: 'set by the server' }));
    assert.deepEqual(planGuardrails('p', desire, defaulted), { create: [], apply: [], delete: [], unchanged: 2, waiting: 0 });
  });

  it('a changed rendering is applied even when every field we set is in place (so a field we stopped setting goes)', () => {
    // As an earlier version left it: the same fields we set today plus one we no longer render, and that version's hash.
    const older = desire.objects.map((d) => observedFrom(d, { annotations: { ...d.metadata.annotations, [RENDERED_HASH_ANNOTATION]: 'earlier-version' } }, { ...(d.spec as object), retired: true }));
    assert.deepEqual(planGuardrails('p', desire, older).apply.map((a) => a.reason), ['annotations', 'annotations']);
    // The hash follows the rendering, not the owners.
    const other = profileDesire({ ...view, uid: 'uid-other' }) as Extract<KeyDesire, { frozen: false }>;
    assert.deepEqual(other.objects.map((o) => o.metadata.annotations[RENDERED_HASH_ANNOTATION]), desire.objects.map((o) => o.metadata.annotations[RENDERED_HASH_ANNOTATION]));
    const changed = profileDesire(understandProfile(raw('p', { guardrails: { backend: 'Cilium' }, nodeAccess: { cidrs: ['10.240.0.0/16'] }, instanceMetadata: { cidrs: ['169.254.169.254/32'] } }), {}, { served: new Set([CCNP]) }).view) as Extract<KeyDesire, { frozen: false }>;
    assert.notEqual(changed.objects[0]!.metadata.annotations[RENDERED_HASH_ANNOTATION], desire.objects[0]!.metadata.annotations[RENDERED_HASH_ANNOTATION]);
  });

  it('drift in spec, labels or owner is applied; a deleted-in-progress object is waited for', () => {
    const [a, b] = desire.objects as [DesiredGuardrail, DesiredGuardrail];
    const edited = observedFrom(a, {}, { ...(a.spec as object), egressDeny: [{ toCIDR: ['10.9.9.9/32'] }] });
    const relabelled = observedFrom(b, { labels: { ...b.metadata.labels, [PURPOSE_LABEL]: 'other' } });
    assert.deepEqual(planGuardrails('p', desire, [edited, relabelled]).apply.map((x) => x.reason), ['spec', 'labels']);
    const orphaned = observedFrom(a, { ownerReferences: [] });
    assert.equal(guardrailDrift(a, orphaned), 'ownerReferences');
    const going = observedFrom(a, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    assert.equal(planGuardrails('p', desire, [going, observedFrom(b)]).waiting, 1);
  });

  it('prunes ours that are no longer desired, never an object without our labels or our field manager', () => {
    const stale = observedFrom(desire.objects[0]!, { name: 'seg.p.deny-metadata.3' });
    const noManager = { ...observedFrom(desire.objects[0]!, { name: 'seg.p.x' }), metadata: { ...observedFrom(desire.objects[0]!, { name: 'seg.p.x' }).metadata, managedFields: [{ manager: 'kubectl' }] } };
    const otherProfile = observedFrom(desire.objects[0]!, { name: 'seg.q.deny-metadata', labels: labels('q') });
    const plan = planGuardrails('p', desire, [...desire.objects.map((d) => observedFrom(d)), stale, noManager, otherProfile]);
    assert.deepEqual(plan.delete.map((o) => o.metadata.name), ['seg.p.deny-metadata.3']);
    assert.equal(isOurs(noManager, 'p'), false);
    assert.equal(isOurs(otherProfile, 'p'), false);
  });

  it('a deleted profile wants nothing (all pruned); an invalid or DryRun one is frozen (nothing written or pruned)', () => {
    const all = desire.objects.map((d) => observedFrom(d));
    assert.equal(planGuardrails('p', profileDesire(undefined), all).delete.length, 2);
    const invalid = { ...view, compiled: undefined };
    assert.deepEqual(profileDesire(invalid), { frozen: true, reason: 'Invalid' });
    assert.deepEqual(planGuardrails('p', profileDesire({ ...view, mode: 'DryRun' }), all), { create: [], apply: [], delete: [], unchanged: 0, waiting: 0 });
  });

  it('keys: profile label, or the shared Tier; none without managed-by', () => {
    assert.equal(guardrailKey({ metadata: { labels: labels('p') } }), 'p');
    assert.equal(guardrailKey({ metadata: { labels: labels(undefined, 'guardrail-tier') } }), SHARED_TIER_KEY);
    assert.equal(guardrailKey({ metadata: { labels: { [PROFILE_LABEL]: 'p' } } }), undefined);
  });

  it('covers: what we set, with lists of equal length', () => {
    assert.ok(covers({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 }));
    assert.ok(!covers({ a: [1, 2] }, { a: [1, 2, 3] }));
    assert.ok(covers({ a: [] }, {}));
    assert.ok(!covers({ a: {} }, {}), 'an empty object we set must be there');
  });
});

describe('Calico\'s shared Tier (unit only: Calico\'s CRDs are not installable in the test control plane)', () => {
  const calico = { served: new Set(CALICO) };
  const calicoView = (name: string, mode = 'Enforce') => understandProfile(raw(name, { guardrails: { backend: 'Calico' }, mode }), {}, calico).view;

  it('exists while a Calico profile enforces, owned by every one of them (none as controller)', () => {
    const d = tierDesire([calicoView('b'), calicoView('a'), understandProfile(raw('np', {})).view]);
    assert.equal(d.frozen, false);
    const [tier] = (d as Extract<KeyDesire, { frozen: false }>).objects;
    assert.equal(tier?.metadata.name, CALICO_TIER);
    assert.deepEqual(tier?.metadata.ownerReferences.map((r) => [r.name, r.controller]), [['a', false], ['b', false]]);
    assert.equal(tier?.metadata.labels[PROFILE_LABEL], undefined);
  });

  it('one profile deleted: the Tier stays with the other owner (an owner change is drift, applied, not a delete)', () => {
    const both = tierDesire([calicoView('a'), calicoView('b')]) as Extract<KeyDesire, { frozen: false }>;
    const observed = observedFrom(both.objects[0]!);
    const onlyB = tierDesire([calicoView('b')]);
    const plan = planGuardrails(SHARED_TIER_KEY, onlyB, [observed]);
    assert.deepEqual(plan.delete, []);
    assert.deepEqual(plan.apply.map((a) => a.reason), ['ownerReferences']);
  });

  it('the last Calico profile gone: pruned; a DryRun Calico profile keeps it as it is', () => {
    const both = tierDesire([calicoView('a')]) as Extract<KeyDesire, { frozen: false }>;
    const observed = observedFrom(both.objects[0]!);
    assert.equal(planGuardrails(SHARED_TIER_KEY, tierDesire([]), [observed]).delete.length, 1);
    assert.equal(tierDesire([calicoView('a', 'DryRun')]).frozen, true);
  });
});

describe('Guardrails condition', () => {
  const now = '2026-11-30T18:00:00Z';
  const outcome = (o: Partial<GuardrailOutcome> = {}): GuardrailOutcome => ({ generation: 2, backend: 'Cilium', desired: 2, conflicts: [], ...o });
  const decision = effectiveBackend('Cilium', { served: new Set([CCNP]) });

  it('says which backend and why, and whether the objects are in place', () => {
    assert.deepEqual(pick(guardrailsCondition({ decision: effectiveBackend('Cilium', { served: new Set() }), outcome: undefined, generation: 2, previous: [], now })), ['False', 'BackendNotInstalled']);
    assert.deepEqual(pick(guardrailsCondition({ decision: effectiveBackend('NetworkPolicy', { served: new Set() }), outcome: undefined, generation: 2, previous: [], now })), ['True', 'NetworkPolicy']);
    assert.deepEqual(pick(guardrailsCondition({ decision, outcome: outcome(), generation: 2, previous: [], now })), ['True', 'Applied']);
    assert.deepEqual(pick(guardrailsCondition({ decision, outcome: outcome({ conflicts: ['CiliumClusterwideNetworkPolicy/seg.p.deny-metadata'] }), generation: 2, previous: [], now })), ['False', 'Conflict']);
    assert.deepEqual(pick(guardrailsCondition({ decision, outcome: outcome({ error: 'boom' }), generation: 2, previous: [], now })), ['False', 'ApplyFailed']);
    assert.deepEqual(pick(guardrailsCondition({ decision, outcome: outcome({ dryRun: { create: 2, update: 0, delete: 0 } }), generation: 2, previous: [], now })), ['True', 'DryRun']);
  });

  it('an outcome of another generation or backend (or none, after a restart) keeps the condition the server has', () => {
    const previous = [{ type: 'Guardrails', status: 'True' as const, reason: 'Applied', message: 'm', observedGeneration: 1, lastTransitionTime: 'then' }];
    assert.equal(guardrailsCondition({ decision, outcome: undefined, generation: 2, previous, now }), previous[0]);
    assert.equal(guardrailsCondition({ decision, outcome: outcome({ generation: 1 }), generation: 2, previous, now }), previous[0]);
    assert.equal(guardrailsCondition({ decision, outcome: outcome({ backend: 'ClusterNetworkPolicy' }), generation: 2, previous, now }), previous[0]);
  });

  it('a Warning Event when it turns False, none while it stays False', () => {
    const notInstalled = guardrailsCondition({ decision: effectiveBackend('Cilium', { served: new Set() }), outcome: undefined, generation: 2, previous: [], now })!;
    assert.equal(guardrailEventReason(notInstalled), 'GuardrailBackendNotInstalled');
    assert.deepEqual(transitionEvents([], [notInstalled]).map((e) => e.reason), ['GuardrailBackendNotInstalled']);
    assert.deepEqual(transitionEvents([notInstalled], [notInstalled]), []);
  });
});

describe('servedKinds', () => {
  it('served once the CRD is Established and serves the version we write', () => {
    const crd = (established: boolean, served: string[]) => ({ metadata: { name: CCNP }, established, served });
    assert.deepEqual([...servedKinds(new Map([[CCNP, crd(true, ['v2'])]]))], [CCNP]);
    assert.deepEqual([...servedKinds(new Map([[CCNP, crd(false, ['v2'])]]))], []);
    assert.deepEqual([...servedKinds(new Map([[CCNP, crd(true, ['v2alpha1'])]]))], []);
  });
});

function pick(c: { status: string; reason: string } | undefined): [string, string] | undefined {
  return c ? [c.status, c.reason] : undefined;
}

describe('GuardrailWork.reconcile against a scripted API (the error paths the real API server rarely shows)', () => {
  const CCNPS = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';
  const facts = { served: new Set([CCNP]) };
  type Call = { method: string; path: string };

  function setup(answer: (call: Call) => unknown, observed: ObservedGuardrail[] = []) {
    const registry = new ProfileRegistry();
    registry.setGuardrailFacts(facts);
    registry.set(raw('p', { guardrails: { backend: 'Cilium' } }));
    const calls: Call[] = [];
    const client = {
      request: async (method: string, path: string) => {
        calls.push({ method, path });
        const a = answer({ method, path });
        if (a instanceof Error) throw a;
        return a;
      },
    } as unknown as KubeClient;
    const clashes: string[][] = [];
    const outcomes: string[] = [];
    const work = new GuardrailWork({ client, registry, observed: () => observed, served: () => facts.served, log: createLogger('error', true), onOutcome: (p) => outcomes.push(p), onClashes: (_k, c) => (clashes.push(c), true) });
    return { work, calls, clashes, outcomes, registry };
  }

  it('a taken name (AlreadyExists, the object is not ours): Conflict, watched, nothing overwritten', async () => {
    const { work, calls, clashes } = setup(({ method }) =>
      method === 'POST' ? apiErrorFrom(409, JSON.stringify({ reason: 'AlreadyExists' }), 'POST', CCNPS) : { metadata: { name: 'seg.p.deny-metadata', labels: { team: 'netops' } } },
    );
    assert.equal(await work.reconcile('p'), undefined);
    assert.deepEqual(calls.map((c) => c.method), ['POST', 'GET']);
    assert.deepEqual(clashes, [['CiliumClusterwideNetworkPolicy/seg.p.deny-metadata']]);
    assert.deepEqual(work.outcome('p')?.conflicts, ['CiliumClusterwideNetworkPolicy/seg.p.deny-metadata']);
  });

  it('AlreadyExists for an object of ours the cache has not seen yet: requeued, not a conflict', async () => {
    const { work, clashes } = setup(({ method }) =>
      method === 'POST' ? apiErrorFrom(409, JSON.stringify({ reason: 'AlreadyExists' }), 'POST', CCNPS) : { metadata: { name: 'seg.p.deny-metadata', labels: labels('p'), ...ours } },
    );
    assert.deepEqual(await work.reconcile('p'), { requeue: true });
    assert.deepEqual(clashes, [[]]);
  });

  it('a prune that finds the object gone (404) or replaced (409 uid precondition) is done; another failure is retried and reported', async () => {
    const stale: ObservedGuardrail = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'seg.p.old', uid: 'u1', labels: labels('p'), ...ours }, spec: {} };
    for (const status of [404, 409]) {
      const { work } = setup(({ method }) => (method === 'DELETE' ? apiErrorFrom(status, '{}', 'DELETE', CCNPS) : {}), [stale]);
      assert.equal(await work.reconcile('p'), undefined, String(status));
    }
    const { work } = setup(({ method }) => (method === 'DELETE' ? apiErrorFrom(500, '{}', 'DELETE', CCNPS) : {}), [stale]);
    await assert.rejects(work.reconcile('p'), /500/);
    assert.match(work.outcome('p')?.error ?? '', /500/);
  });

  it('a DryRun profile writes nothing and says what it would do', async () => {
    const { work, calls, registry } = setup(() => ({}));
    registry.set(raw('p', { guardrails: { backend: 'Cilium' }, mode: 'DryRun' }));
    await work.reconcile('p');
    assert.deepEqual(calls, []);
    assert.deepEqual(work.outcome('p')?.dryRun, { create: 1, update: 0, delete: 0 });
  });
});
