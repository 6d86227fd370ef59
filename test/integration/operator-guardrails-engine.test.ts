// An explicit guardrail backend whose API is served but which the detected engine cannot enforce: the
// Cilium CRD installed on a cluster whose engine is Calico (a DaemonSet reported ready through its status,
// as the DaemonSet controller would; there is no kubelet here). The profile must keep its per-namespace
// metadata block, say EngineCannotEnforce, and write no CCNP; once a scan finds an engine that enforces it
// (a Cilium DaemonSet), the CCNPs come and the per-namespace block goes (make before break). Other suites
// share the control plane and may leave engines of their own behind: nothing here assumes there are none.
import assert from 'node:assert/strict';
import { PROFILE_LABEL } from '../../src/compile/labels.js';
import type { Operator } from '../../src/controller/operator.js';
import type { SegmentationProfileInput } from '../../src/api/profile.js';
import { installGuardrailCrds } from './guardrail-crds.js';
import { eventually, kubeConfig } from './hooks.js';
import { applyProfile, ciliumGuardrailSpec, createNamespace, ensureCrd, getProfile, newOperator, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

const CCNPS = '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies';

describe('operator: an explicit guardrail backend the engine cannot enforce (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `gre-${run}`;
  const profile = `gre-${run}`;
  const spec = (extra: Partial<SegmentationProfileInput['spec']> = {}) => ciliumGuardrailSpec(sel, extra);
  let op: Operator | undefined;
  let ns: string;
  let engineNs: string;
  const ds = () => `/apis/apps/v1/namespaces/${engineNs}/daemonsets`;
  /** A DaemonSet of an engine, reported ready through its status subresource. */
  async function daemonSet(name: string, image: string): Promise<void> {
    await testApi().request('POST', ds(), {
      body: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name }, spec: { selector: { matchLabels: { k8s: name } }, template: { metadata: { labels: { k8s: name } }, spec: { containers: [{ name, image }] } } } },
    });
    await testApi().request('PATCH', `${ds()}/${name}/status`, { body: { status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberMisscheduled: 0 } }, contentType: 'application/merge-patch+json' });
  }
  const guardrails = async () => ((await getProfile(profile)).status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((c) => c.type === 'Guardrails');
  const ccnps = async () => (await testApi().request<{ items: unknown[] }>('GET', CCNPS, { query: { labelSelector: `${PROFILE_LABEL}=${profile}` } })).items;

  before(async function () {
    this.timeout(120_000);
    await ensureCrd();
    await installGuardrailCrds(kubeConfig());
    engineNs = await createNamespace('gre-engine');
    await daemonSet('calico-node', 'docker.io/calico/node:v3.30.1');
    ns = await createNamespace('gre', { [sel]: 'on' });
    await applyProfile(profile, spec());
    // The cluster scan on (the suites' default turns it off): at start, and soon after a profile change.
    op = newOperator({ scanPeriodMs: 600_000, rescanDelayMs: 300 });
    await op.start();
  });

  after(async function () {
    this.timeout(120_000);
    await op?.stop();
    for (const name of ['calico-node', 'cilium']) await testApi().request('DELETE', `${ds()}/${name}`).catch(() => {});
    await runCleanups();
  });

  it('keeps the per-namespace metadata block and says EngineCannotEnforce; writes no CCNP', async () => {
    const c = await eventually(
      async () => {
        const got = await guardrails();
        assert.equal(got?.reason, 'EngineCannotEnforce', JSON.stringify(got));
        return got!;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(c.status, 'False');
    assert.match(c.message, /detected engine \([^)]*Calico 3\.30\.1[^)]*\) does not enforce it: falling back to per-namespace NetworkPolicies/);
    await op!.whenIdle();
    assert.ok((await policyNames(ns)).includes(`seg.${profile}.deny-metadata`));
    assert.deepEqual(await ccnps(), []);
  });

  it('once a scan finds an engine that enforces it, the CCNPs come and the per-namespace block goes', async () => {
    await daemonSet('cilium', 'quay.io/cilium/cilium:v1.18.2');
    // A profile change asks for a scan soon (rescanDelayMs).
    await applyProfile(profile, spec({ instanceMetadata: { cidrs: ['169.254.169.254/32'] } }));
    await eventually(
      async () => {
        assert.equal((await guardrails())?.reason, 'Applied');
        assert.ok((await ccnps()).length > 0);
        assert.ok(!(await policyNames(ns)).includes(`seg.${profile}.deny-metadata`));
      },
      { timeoutMs: 60_000 },
    );
  });
});
