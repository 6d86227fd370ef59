// The operator's guardrails on the real control plane with the backends' real CRDs (Cilium v1.20.2 CCNP,
// network-policy-api v0.2.0 ClusterNetworkPolicy): started without the Cilium CRD, a profile asking for
// Cilium falls back to per-namespace policies and says so; once the CRD is installed its CCNPs appear, are
// kept as rendered (drift, deletes), follow the spec, are pruned with the profile, cost no write after a
// restart, and never touch a same-named object that is not ours.
import assert from 'node:assert/strict';
import { API_VERSION, KIND, segmentationProfileSchema, type SegmentationProfileInput } from '../../src/api/profile.js';
import { compileProfile } from '../../src/compile/render.js';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL, RENDERED_HASH_ANNOTATION } from '../../src/compile/labels.js';
import type { Operator } from '../../src/controller/operator.js';
import { GUARDRAIL_RESOURCES } from '../../src/compile/guardrails/index.js';
import { removeGuardrailCrd, reinstallGuardrailCrd, installGuardrailCrds } from './guardrail-crds.js';
import { eventually, kubeConfig } from './hooks.js';
import { watchStream } from '../../src/kube/watch.js';
import { applyProfile, ciliumGuardrailSpec, POLICIES, createNamespace, deleteProfile, ensureCrd, expectedNames, getProfile, newOperator, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

const CCNPS = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';
const CNPS = '/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies';
const CCNP_CRD = GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies;

interface Guardrail {
  metadata: { name: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[]; managedFields?: { manager: string }[] };
  spec: Record<string, any>;
}
interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

async function objectsOf(path: string, profile: string): Promise<Guardrail[]> {
  const list = await testApi().request<{ items: Guardrail[] }>('GET', path, { query: { labelSelector: `${PROFILE_LABEL}=${profile}` } });
  return list.items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** The names and specs the compiler renders for `backend`. */
function rendered(profile: string, spec: SegmentationProfileInput['spec'], backend: 'Cilium' | 'ClusterNetworkPolicy') {
  const parsed = segmentationProfileSchema.parse({ apiVersion: API_VERSION, kind: KIND, metadata: { name: profile }, spec });
  const result = compileProfile(parsed, {}, { guardrails: { override: backend } });
  if (!result.ok) assert.fail(result.errors.join('; '));
  return result.compiled.guardrails.map((g) => ({ name: g.metadata.name, spec: g.spec as Record<string, unknown> })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function guardrailsCondition(profile: string): Promise<Condition | undefined> {
  const p = await getProfile(profile);
  return (p.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Guardrails');
}

async function eventReasons(profile: string): Promise<string[]> {
  const events = (await testApi().request<{ items: { reason: string; regarding: { name: string; kind: string } }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).items;
  return events.filter((e) => e.regarding.kind === KIND && e.regarding.name === profile).map((e) => e.reason);
}

describe('operator: cluster-scoped guardrails (issue 13)', function () {
  this.timeout(300_000);
  const run = uid();
  const sel = `gr-${run}`;
  const cilium = `gr-cilium-${run}`;
  const clash = `gr-clash-${run}`;
  const cnp = `gr-cnp-${run}`;
  const spec = (extra: Partial<SegmentationProfileInput['spec']> = {}) => ciliumGuardrailSpec(sel, extra);
  let op: Operator | undefined;
  let ns: string;

  before(async function () {
    await ensureCrd();
    await installGuardrailCrds(kubeConfig());
    // The operator starts on a cluster without Cilium's CRD.
    await removeGuardrailCrd(kubeConfig(), CCNP_CRD);
    ns = await createNamespace('gr', { [sel]: 'on' });
    await applyProfile(cilium, spec());
    op = newOperator();
    await op.start();
  });

  after(async function () {
    this.timeout(120_000);
    await op?.stop();
    await runCleanups();
    // Leave the cluster as the other suites expect it: every pinned CRD installed, none of our objects.
    await reinstallGuardrailCrd(kubeConfig(), CCNP_CRD);
    for (const path of [CCNPS, CNPS])
      for (const o of (await testApi().request<{ items: Guardrail[] }>('GET', path)).items.filter((x) => x.metadata.name.includes(run)))
        await testApi().request('DELETE', `${path}/${o.metadata.name}`).catch(() => {});
  });

  it('without the Cilium CRD: Guardrails=False BackendNotInstalled with an Event, and the per-namespace metadata block stays', async () => {
    await eventually(async () => {
      const c = await guardrailsCondition(cilium);
      assert.equal(c?.status, 'False', JSON.stringify(c));
      assert.equal(c?.reason, 'BackendNotInstalled');
      assert.match(c!.message, /ciliumclusterwidenetworkpolicies\.cilium\.io/);
    });
    const want = expectedNames(cilium, spec(), ns, { [sel]: 'on' });
    assert.ok(want.includes(`seg.${cilium}.deny-metadata`), want.join());
    await eventually(async () => assert.deepEqual(await policyNames(ns), want));
    await eventually(async () => assert.ok((await eventReasons(cilium)).includes('GuardrailBackendNotInstalled')));
  });

  it('Cilium CRD installed while running: the CCNPs appear, ours alone, and the per-namespace policies follow (make before break)', async () => {
    // Every NetworkPolicy event of the namespace from now on, to see when the per-namespace block goes.
    const npEvents: { type: string; name: string; rv: number }[] = [];
    const from = (await testApi().request<{ metadata: { resourceVersion: string } }>('GET', POLICIES(ns))).metadata.resourceVersion;
    const watching = new AbortController();
    const watch = watchStream(testApi(), POLICIES(ns), { resourceVersion: from, timeoutSeconds: 120 }, watching.signal, (type, obj) => {
      const o = obj as { metadata: { name: string; resourceVersion: string } };
      npEvents.push({ type, name: o.metadata.name, rv: Number(o.metadata.resourceVersion) });
    }).catch(() => {});
    await reinstallGuardrailCrd(kubeConfig(), CCNP_CRD);
    const want = rendered(cilium, spec(), 'Cilium');
    assert.ok(want.length >= 1);
    const profileUid = ((await getProfile(cilium)).metadata as { uid?: string }).uid;
    await eventually(
      async () => {
        const got = await objectsOf(CCNPS, cilium);
        assert.deepEqual(got.map((o) => o.metadata.name), want.map((w) => w.name));
        for (const o of got) {
          assert.equal(o.metadata.labels?.[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
          assert.equal(o.metadata.labels?.[PROFILE_LABEL], cilium);
          assert.deepEqual(o.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [[KIND, cilium, profileUid, true]]);
          assert.deepEqual([...new Set((o.metadata.managedFields ?? []).map((m) => m.manager))], [FIELD_MANAGER]);
        }
        const c = await guardrailsCondition(cilium);
        assert.equal(c?.status, 'True', JSON.stringify(c));
        assert.equal(c?.reason, 'Applied');
      },
      { timeoutMs: 60_000 },
    );
    // The metadata block now lives in the CCNP: the per-namespace deny-metadata policy goes.
    const parsed = segmentationProfileSchema.parse({ apiVersion: API_VERSION, kind: KIND, metadata: { name: cilium }, spec: spec() });
    const nsWant = (await import('../../src/compile/render.js')).render(parsed, { name: ns, labels: { [sel]: 'on', 'kubernetes.io/metadata.name': ns } }, {}, { guardrails: { override: 'Cilium' } }).map((p) => p.metadata.name).sort();
    assert.ok(!nsWant.includes(`seg.${cilium}.deny-metadata`), nsWant.join());
    await eventually(async () => assert.deepEqual(await policyNames(ns), nsWant));
    // The per-namespace deny-metadata was deleted only after the CCNP replacing it existed (etcd revisions
    // order the two writes; the CCNP has not been written since its creation).
    await eventually(async () => assert.ok(npEvents.some((e) => e.type === 'DELETED' && e.name === `seg.${cilium}.deny-metadata`), JSON.stringify(npEvents)));
    watching.abort();
    await watch;
    const deleted = npEvents.find((e) => e.type === 'DELETED' && e.name === `seg.${cilium}.deny-metadata`)!;
    const ccnp = (await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === `seg.${cilium}.deny-metadata`) as Guardrail & { metadata: { resourceVersion: string } };
    assert.ok(Number(ccnp.metadata.resourceVersion) < deleted.rv, `CCNP written at ${ccnp.metadata.resourceVersion}, per-namespace block deleted at ${deleted.rv}`);
  });

  it('reverts a hand edit and recreates a hand delete', async () => {
    const name = rendered(cilium, spec(), 'Cilium')[0]!.name;
    const before = (await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name)!;
    await testApi().request('PATCH', `${CCNPS}/${name}`, { query: { fieldManager: 'kubectl-edit' }, body: { spec: { egressDeny: [{ toCIDR: ['10.9.9.9/32'] }] } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => assert.deepEqual((await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name)?.spec.egressDeny, before.spec.egressDeny));
    await testApi().request('DELETE', `${CCNPS}/${name}`);
    await eventually(async () => {
      const again = (await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name);
      assert.ok(again && again.metadata.uid !== before.metadata.uid, 'not recreated');
      assert.deepEqual(again.spec.egressDeny, before.spec.egressDeny);
    });
  });

  it('follows a spec change (new node guardrail, changed metadata CIDRs)', async () => {
    const changed = spec({ instanceMetadata: { cidrs: ['169.254.169.254/32'] }, nodeAccess: { cidrs: ['10.240.0.0/16'] } });
    await applyProfile(cilium, changed);
    const want = rendered(cilium, changed, 'Cilium');
    assert.ok(want.some((w) => w.name === `seg.${cilium}.deny-node-ports`));
    await eventually(async () => {
      const got = await objectsOf(CCNPS, cilium);
      assert.deepEqual(got.map((o) => o.metadata.name), want.map((w) => w.name));
      for (const w of want) assert.deepEqual(got.find((o) => o.metadata.name === w.name)?.spec.egressDeny, (w.spec as { egressDeny: unknown }).egressDeny);
    });
  });

  it('an object of ours that an earlier version rendered loses the fields this one no longer sets (created with POST: managedFields converted first)', async () => {
    const name = rendered(cilium, spec(), 'Cilium')[0]!.name;
    const current = (await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name)!;
    await op!.whenIdle();
    await op!.stop();
    await testApi().request('DELETE', `${CCNPS}/${name}`);
    await eventually(async () => assert.equal((await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name), undefined));
    // Every field this version sets, as it sets it, plus an annotation and a spec field it no longer sets and
    // that version's rendered hash; created with POST, so owned through Update.
    const annotations = { ...current.metadata.annotations, [RENDERED_HASH_ANNOTATION]: 'earlier-version', 'segmentation.dev/retired': 'x' };
    const old = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name, labels: current.metadata.labels, annotations, ownerReferences: current.metadata.ownerReferences }, spec: { ...current.spec, description: 'rendered by an earlier version' } };
    await testApi().request('POST', CCNPS, { query: { fieldManager: FIELD_MANAGER }, body: old });
    op = newOperator();
    await op.start();
    await eventually(async () => {
      const got = (await objectsOf(CCNPS, cilium)).find((o) => o.metadata.name === name)!;
      assert.equal(got.metadata.annotations?.[RENDERED_HASH_ANNOTATION], current.metadata.annotations?.[RENDERED_HASH_ANNOTATION]);
      assert.equal(got.metadata.annotations?.['segmentation.dev/retired'], undefined, 'the annotation we no longer set is gone');
      assert.equal(got.spec.description, undefined, 'the spec field we no longer set is gone');
      assert.deepEqual(got.spec.egressDeny, current.spec.egressDeny);
      const ours = (got.metadata.managedFields as { manager: string; operation: string }[]).filter((e) => e.manager === FIELD_MANAGER);
      assert.deepEqual(ours.map((e) => e.operation), ['Apply']);
    });
  });

  it('a restart writes nothing', async () => {
    await op!.whenIdle();
    await op!.stop();
    op = newOperator();
    await op.start();
    await op.whenIdle();
    await new Promise((r) => setTimeout(r, 1_500));
    await op.whenIdle();
    assert.deepEqual(op.writes.snapshot(), {});
  });

  it('leaves a same-named object that is not ours alone and reports it; takes the name once it is free', async () => {
    const name = `seg.${clash}.deny-metadata`;
    await testApi().request('POST', CCNPS, { body: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name, labels: { team: 'netops' } }, spec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['10.1.2.3/32'] }] } } });
    await applyProfile(clash, spec());
    await eventually(async () => {
      const c = await guardrailsCondition(clash);
      assert.equal(c?.status, 'False', JSON.stringify(c));
      assert.equal(c?.reason, 'Conflict');
      assert.match(c!.message, new RegExp(name.replace(/\./g, '\\.')));
    });
    await eventually(async () => assert.ok((await eventReasons(clash)).includes('GuardrailConflict')));
    const foreign = await testApi().request<Guardrail>('GET', `${CCNPS}/${name}`);
    assert.deepEqual(foreign.metadata.labels, { team: 'netops' });
    assert.deepEqual(foreign.spec.egressDeny, [{ toCIDR: ['10.1.2.3/32'] }]);
    assert.deepEqual([...new Set((foreign.metadata.managedFields ?? []).map((m) => m.manager))].includes(FIELD_MANAGER), false);
    // Freed: the operator (watching the name) creates its own.
    await testApi().request('DELETE', `${CCNPS}/${name}`);
    await eventually(async () => {
      const mine = await testApi().request<Guardrail>('GET', `${CCNPS}/${name}`);
      assert.equal(mine.metadata.labels?.[PROFILE_LABEL], clash);
      assert.equal((await guardrailsCondition(clash))?.reason, 'Applied');
    });
  });

  it('ClusterNetworkPolicy backend: objects appear with our labels and owner', async () => {
    const cnpSpec = spec({ guardrails: { backend: 'ClusterNetworkPolicy' } });
    await applyProfile(cnp, cnpSpec);
    const want = rendered(cnp, cnpSpec, 'ClusterNetworkPolicy');
    await eventually(async () => {
      const got = await objectsOf(CNPS, cnp);
      assert.deepEqual(got.map((o) => o.metadata.name), want.map((w) => w.name));
      for (const o of got) assert.equal(o.metadata.ownerReferences?.[0]?.name, cnp);
      assert.equal((await guardrailsCondition(cnp))?.reason, 'Applied');
    });
  });

  it('Cilium CRD removed while running: the profile falls back to per-namespace policies and says so; reinstalled: back to the CCNPs', async () => {
    const current = spec({ instanceMetadata: { cidrs: ['169.254.169.254/32'] }, nodeAccess: { cidrs: ['10.240.0.0/16'] } });
    const npNames = expectedNames(cilium, current, ns, { [sel]: 'on' });
    assert.ok(npNames.includes(`seg.${cilium}.deny-metadata`));
    await removeGuardrailCrd(kubeConfig(), CCNP_CRD);
    await eventually(
      async () => {
        const c = await guardrailsCondition(cilium);
        assert.equal(c?.reason, 'BackendNotInstalled', JSON.stringify(c));
        assert.deepEqual((await policyNames(ns)).filter((n) => n.startsWith(`seg.${cilium}.`)), npNames);
      },
      { timeoutMs: 60_000 },
    );
    await reinstallGuardrailCrd(kubeConfig(), CCNP_CRD);
    await eventually(
      async () => {
        assert.deepEqual((await objectsOf(CCNPS, cilium)).map((o) => o.metadata.name), rendered(cilium, current, 'Cilium').map((w) => w.name));
        assert.equal((await guardrailsCondition(cilium))?.reason, 'Applied');
        assert.ok(!(await policyNames(ns)).includes(`seg.${cilium}.deny-metadata`));
      },
      { timeoutMs: 60_000 },
    );
  });

  it('switching back to NetworkPolicy: the CCNPs go only after the namespace has its deny-metadata again (break after make)', async () => {
    const back = spec({ instanceMetadata: { cidrs: ['169.254.169.254/32'] }, nodeAccess: { cidrs: ['10.240.0.0/16'] }, guardrails: { backend: 'NetworkPolicy' } });
    // More namespaces, and an operator whose writes are slow (8/s), so that the namespaces take a while to
    // get their blocks back: deleting the CCNPs at once would leave most of them open for that while.
    const extra: string[] = [];
    for (let i = 0; i < 8; i++) extra.push(await createNamespace('grb', { [sel]: 'on' }));
    await eventually(async () => {
      for (const n of extra) assert.ok((await policyNames(n)).some((x) => x.startsWith(`seg.${cilium}.`)), n);
    });
    await op!.stop();
    op = newOperator({ qps: 8, burst: 1 });
    await op.start();
    await op.whenIdle();
    const all = [ns, ...extra];
    // Every NetworkPolicy event of these namespaces and every CCNP event of the profile from now on.
    const events: { what: string; type: string; name: string; ns?: string; rv: number }[] = [];
    const watching = new AbortController();
    const watches = [
      ['/apis/networking.k8s.io/v1/networkpolicies', { labelSelector: `${PROFILE_LABEL}=${cilium}` }],
      [CCNPS, { labelSelector: `${PROFILE_LABEL}=${cilium}` }],
    ].map(async ([path, extra]) => {
      const from = (await testApi().request<{ metadata: { resourceVersion: string } }>('GET', path as string, { query: extra as Record<string, string> })).metadata.resourceVersion;
      return watchStream(testApi(), path as string, { resourceVersion: from, timeoutSeconds: 120, ...(extra as Record<string, string>) }, watching.signal, (type, obj) => {
        const o = obj as { metadata: { name: string; namespace?: string; resourceVersion: string } };
        events.push({ what: path === CCNPS ? 'ccnp' : 'np', type, name: o.metadata.name, ...(o.metadata.namespace ? { ns: o.metadata.namespace } : {}), rv: Number(o.metadata.resourceVersion) });
      }).catch(() => {});
    });
    await new Promise((r) => setTimeout(r, 300)); // both watches open before the change
    assert.ok((await objectsOf(CCNPS, cilium)).length > 0, 'CCNPs in place before the switch');
    await applyProfile(cilium, back);
    await eventually(
      async () => {
        assert.deepEqual(await objectsOf(CCNPS, cilium), []);
        for (const n of all) assert.ok((await policyNames(n)).includes(`seg.${cilium}.deny-metadata`), n);
        assert.equal((await guardrailsCondition(cilium))?.reason, 'NetworkPolicy');
      },
      { timeoutMs: 60_000 },
    );
    await eventually(async () => assert.ok(events.some((e) => e.what === 'ccnp' && e.type === 'DELETED'), JSON.stringify(events)));
    watching.abort();
    await Promise.all(watches);
    const firstDelete = Math.min(...events.filter((e) => e.what === 'ccnp' && e.type === 'DELETED').map((e) => e.rv));
    for (const n of all) {
      const restored = events.find((e) => e.what === 'np' && e.type === 'ADDED' && e.ns === n && e.name === `seg.${cilium}.deny-metadata`);
      assert.ok(restored, `${n}: ${JSON.stringify(events)}`);
      assert.ok(restored.rv < firstDelete, `${n}: deny-metadata back at revision ${restored.rv}, first CCNP deleted at ${firstDelete}`);
    }
  });

  it('profile deletion removes its guardrail objects', async () => {
    for (const p of [cilium, clash, cnp]) await deleteProfile(p);
    await eventually(async () => {
      for (const [path, p] of [[CCNPS, cilium], [CCNPS, clash], [CNPS, cnp]] as const) assert.deepEqual(await objectsOf(path, p), [], `${p} left objects`);
    });
  });
});
