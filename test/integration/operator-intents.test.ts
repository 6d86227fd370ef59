// Issue 10 on the real control plane, operator side: metadata exceptions appear for the right pods and are
// named (not counted) by MetadataEndpointBlocked; RulesEffective and its Event for a rule without effect;
// the allow-api-server policy follows the `kubernetes` EndpointSlices in `default`; a Node outside
// spec.nodeAccess.cidrs is reported in NodeAccessCovered; and a restart after all of it writes nothing.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Condition } from '../../src/api/profile.js';
import type { Operator } from '../../src/controller/operator.js';
import { METADATA_CONDITION, NODES_CONDITION } from '../../src/controller/findings.js';
import { RULES_CONDITION } from '../../src/controller/rules-effective.js';
import { eventually } from './hooks.js';
import { applyProfile, createNamespace, ensureCrd, getProfile, newOperator, policies, runCleanups, testApi, uid } from './operator-fixtures.js';

const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const NODES = '/api/v1/nodes';

interface Slice {
  metadata: { name: string; labels?: Record<string, string> };
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port: number; protocol?: string }[];
}

describe('operator: exceptions, rules without effect, API-server endpoints, node coverage (integration)', function () {
  this.timeout(120_000);
  const run = uid();
  const label = `seg-intents-${run}`;
  const selector = { namespaceSelector: { matchLabels: { [label]: 'on' } } };
  let op: Operator;
  let a: string;
  let b: string;
  const extraSlice = `kubernetes-test-${run}`;
  const node = `node-${run}`;

  const conditionOf = async (profile: string, type: string): Promise<Condition | undefined> =>
    ((await getProfile(profile)).status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
  const eventsFor = async (profile: string, reason: string) =>
    (await testApi().request<{ items: { reason: string; type: string; note?: string; regarding?: { name?: string } }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events')).items.filter(
      (e) => e.reason === reason && e.regarding?.name === profile,
    );
  const policy = async (ns: string, name: string) => (await policies(ns)).find((p) => p.metadata.name === name);
  // Debug logs in memory: which namespaces were reconciled (other suites' namespaces come and go meanwhile).
  const logs: { message?: string; namespace?: string; level?: string }[] = [];
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as (typeof logs)[number]);
            done();
          },
        }),
      }),
    ],
  });
  const newOp = (scanPeriodMs = 300) => newOperator({ scanPeriodMs, rescanDelayMs: 200, logger });

  before(async function () {
    this.timeout(300_000);
    await ensureCrd();
    a = await createNamespace('intents-a', { [label]: 'on', team: 'a' });
    b = await createNamespace('intents-b', { [label]: 'on', team: 'b' });
    op = newOp();
    await op.start();
  });

  after(async function () {
    this.timeout(120_000);
    await op?.stop();
    for (const path of [`${SLICES}/${extraSlice}`, `${SLICES}/${extraSlice}-2`, `${NODES}/${node}`]) await testApi().request('DELETE', path).catch(() => {});
    await runCleanups();
  });

  it('emits a metadata exception for the selected pods only, and MetadataEndpointBlocked names it without turning False', async () => {
    const profile = `exc-${run}`;
    await applyProfile(profile, {
      ...selector,
      instanceMetadata: {
        allowFrom: [
          { podSelector: { matchLabels: { app: 'agent' } } },
          { podSelector: { matchLabels: { app: 'backup' } }, namespaceSelector: { matchLabels: { team: 'b' } }, ports: [{ protocol: 'TCP', port: 80 }] },
        ],
      },
    });
    const cidrs = [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: 'fd00:ec2::254/128' } }];
    await eventually(async () => {
      for (const ns of [a, b]) {
        const p = await policy(ns, `seg.${profile}.allow-metadata.0`);
        assert.deepEqual(p?.spec?.podSelector, { matchLabels: { app: 'agent' } }, ns);
        assert.deepEqual(p?.spec?.policyTypes, ['Egress']);
        assert.deepEqual(p?.spec?.egress, [{ to: cidrs }]);
        assert.equal(p?.metadata.labels?.['segmentation.dev/purpose'], 'allow-metadata');
      }
      // The second exception only where its namespaceSelector matches, and only on its port.
      assert.equal(await policy(a, `seg.${profile}.allow-metadata.1`), undefined);
      const backup = await policy(b, `seg.${profile}.allow-metadata.1`);
      assert.deepEqual(backup?.spec?.podSelector, { matchLabels: { app: 'backup' } });
      assert.deepEqual(backup?.spec?.egress, [{ to: cidrs, ports: [{ protocol: 'TCP', port: 80 }] }]);
    });
    const c = await eventually(async () => {
      const got = await conditionOf(profile, METADATA_CONDITION);
      assert.equal(got?.status, 'True');
      assert.match(got.message, /intended exceptions/);
      return got;
    });
    assert.equal(c.reason, 'Blocked');
    for (const ns of [a, b]) assert.ok(c.message.includes(`${ns}/seg.${profile}.allow-metadata.0 (pods app=agent)`), c.message);
    assert.ok(c.message.includes(`${b}/seg.${profile}.allow-metadata.1 (pods app=backup on 80/TCP)`), c.message);
    // Never reported as a reopening. (A scan that runs before the first reconcile of a new profile finished
    // may see its namespaces without egress policies and say so for a moment: only the exception matters here.)
    for (const e of await eventsFor(profile, 'MetadataEndpointReopened')) assert.doesNotMatch(e.note ?? '', /allow-metadata\.\d+ egress\[/, 'an exception is not a reopening');
  });

  it('sets RulesEffective=False for an ipBlock rule under open egress, with an Event, counts the namespaces it renders nothing for, and clears', async () => {
    const profile = `noeffect-${run}`;
    const rule = { name: 'to-partner', from: { podSelector: { matchLabels: { app: 'web' } } }, to: { ipBlock: { cidr: '203.0.113.0/24' } }, ports: [{ protocol: 'TCP' as const, port: 443 }] };
    await applyProfile(profile, { ...selector, defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: false }, allow: [rule] });
    const c = await eventually(async () => {
      const p = await getProfile(profile);
      assert.equal(p.status?.observedGeneration, p.metadata.generation);
      // Selected, but nothing to render there: still matched.
      assert.equal(p.status?.matchedNamespaces, 2);
      assert.equal(p.status?.policies, 0);
      const got = (p.status?.conditions as Condition[] | undefined)?.find((x) => x.type === RULES_CONDITION);
      assert.equal(got?.status, 'False');
      return got;
    });
    assert.equal(c.reason, 'RulesWithoutEffect');
    assert.match(c.message, /^1 part\(s\) of the profile can have no effect \(rules: to-partner\): spec\.allow\[0\] \(rule "to-partner"\): has no effect: it allows egress to 203\.0\.113\.0\/24/);
    const events = await eventually(async () => {
      const got = await eventsFor(profile, 'RulesWithoutEffect');
      assert.equal(got.length, 1);
      return got;
    });
    assert.equal(events[0]!.type, 'Warning');
    assert.match(events[0]!.note ?? '', /to-partner/);
    // Deny egress: the rule now means something (and is emitted), the condition turns True.
    await applyProfile(profile, { ...selector, instanceMetadata: { deny: false }, allow: [rule] });
    await eventually(async () => {
      const got = await conditionOf(profile, RULES_CONDITION);
      assert.deepEqual([got?.status, got?.reason], ['True', 'AllRulesEffective']);
      assert.ok(await policy(a, `seg.${profile}.allow.to-partner.egress`));
    });
  });

  it('renders allow-api-server from the kubernetes EndpointSlices in default and re-renders when they change', async () => {
    const profile = `api-${run}`;
    const name = `seg.${profile}.allow-api-server.0`;
    // The test control plane runs with --endpoint-reconciler-type=none: usually no `kubernetes` slice at all.
    const live = (await testApi().request<{ items: Slice[] }>('GET', SLICES, { query: { labelSelector: 'kubernetes.io/service-name=kubernetes' } })).items;
    const liveAddresses = [...new Set(live.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses)))];
    const port = live.flatMap((s) => s.ports ?? [])[0]?.port ?? 6443;
    const blocks = (...extra: string[]) => [...liveAddresses, ...extra].sort().map((ip) => ({ ipBlock: { cidr: `${ip}/32` } }));
    const slice = (sliceName: string, address: string) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: sliceName, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    });
    await applyProfile(profile, { ...selector, apiServer: { allowFrom: [{ podSelector: { matchLabels: { app: 'ci' } } }] } });
    if (liveAddresses.length === 0) {
      // Without the endpoints the profile cannot be compiled, and says which input is missing.
      await eventually(async () => {
        const ready = await conditionOf(profile, 'Ready');
        assert.equal(ready?.reason, 'InvalidProfile');
        assert.match(ready.message, /spec\.apiServer\.allowFrom: the API server's endpoint addresses are not known/);
      });
    }
    await testApi().request('POST', SLICES, { body: slice(extraSlice, '10.254.77.7') });
    await eventually(async () => {
      for (const ns of [a, b]) {
        const p = await policy(ns, name);
        assert.deepEqual(p?.spec?.podSelector, { matchLabels: { app: 'ci' } }, ns);
        assert.deepEqual(p?.spec?.egress, [{ to: blocks('10.254.77.7'), ports: [{ protocol: 'TCP', port }] }], ns);
      }
      assert.equal((await conditionOf(profile, 'Ready'))?.status, 'True');
    });

    // A change to the slices that leaves the addresses as they are reconciles nothing.
    await op.whenIdle();
    const mark = logs.length;
    await testApi().request('PATCH', `${SLICES}/${extraSlice}`, { body: { metadata: { labels: { touched: 'yes' } } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => assert.equal(op.apiServerSlices.get(extraSlice, 'default')?.metadata?.labels?.touched, 'yes'));
    await op.whenIdle();
    const since = logs.slice(mark);
    assert.deepEqual(since.filter((l) => l.namespace === a || l.namespace === b).map((l) => `${l.namespace}: ${l.message}`), [], 'no namespace of the profile was reconciled');
    assert.deepEqual(since.filter((l) => /API server endpoints/.test(l.message ?? '')).map((l) => l.message), [], 'no recompile');
    // ...while an address change does both (the check above is live).
    const reconciledHere = () => logs.slice(mark).filter((l) => (l.namespace === a || l.namespace === b) && /^(in sync|reconciled)/.test(l.message ?? ''));

    // The address moves, a second API server appears and goes: the policies follow.
    await testApi().request('PATCH', `${SLICES}/${extraSlice}`, { body: { endpoints: [{ addresses: ['10.254.77.8'], conditions: { ready: true } }] }, contentType: 'application/merge-patch+json' });
    await eventually(async () => assert.deepEqual((await policy(a, name))?.spec?.egress?.[0]?.to, blocks('10.254.77.8')));
    assert.ok(reconciledHere().length >= 2, 'the namespaces were reconciled after the address change');
    await testApi().request('POST', SLICES, { body: slice(`${extraSlice}-2`, '10.254.77.9') });
    await eventually(async () => assert.deepEqual((await policy(b, name))?.spec?.egress?.[0]?.to, blocks('10.254.77.8', '10.254.77.9')));
    await testApi().request('DELETE', `${SLICES}/${extraSlice}-2`);
    await eventually(async () => assert.deepEqual((await policy(b, name))?.spec?.egress?.[0]?.to, blocks('10.254.77.8')));
  });

  it('reports a Node outside spec.nodeAccess.cidrs in NodeAccessCovered, with an Event, and clears when it is covered', async () => {
    const profile = `nodes-${run}`;
    await applyProfile(profile, { ...selector, nodeAccess: { cidrs: ['10.224.0.0/16'] } });
    await testApi().request('POST', NODES, { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: node } } });
    // No kubelet here: set the addresses through the status subresource, as a kubelet would.
    const setAddress = (address: string) =>
      testApi().request('PATCH', `${NODES}/${node}/status`, { body: { status: { addresses: [{ type: 'InternalIP', address }, { type: 'Hostname', address: node }] } }, contentType: 'application/merge-patch+json' });
    await setAddress('10.99.0.7');
    const c = await eventually(async () => {
      const got = await conditionOf(profile, NODES_CONDITION);
      assert.equal(got?.status, 'False');
      return got;
    });
    assert.equal(c.reason, 'NodesNotCovered');
    assert.ok(c.message.includes(`${node} (10.99.0.7)`), c.message);
    const events = await eventually(async () => {
      const got = await eventsFor(profile, 'NodesNotCovered');
      assert.equal(got.length, 1);
      return got;
    });
    assert.equal(events[0]!.type, 'Warning');
    // A profile without nodeAccess says nothing about nodes.
    assert.equal(await conditionOf(`exc-${run}`, NODES_CONDITION), undefined);
    await setAddress('10.224.3.3');
    await eventually(async () => assert.deepEqual([(await conditionOf(profile, NODES_CONDITION))?.status, (await conditionOf(profile, NODES_CONDITION))?.reason], ['True', 'NodesCovered']));
  });

  it('writes nothing when restarted afterwards (new conditions included)', async () => {
    // Namespaces that earlier suites deleted take their objects (an engine's DaemonSet, say) with them when the
    // namespace controller gets to it: a real change for the next scan. Let that settle first, then let the
    // running operator scan it (every 300 ms) before the restart.
    await eventually(
      async () => {
        const all = await testApi().request<{ items: { metadata: { name: string }; status?: { phase?: string } }[] }>('GET', '/api/v1/namespaces');
        assert.deepEqual(all.items.filter((n) => n.status?.phase === 'Terminating').map((n) => n.metadata.name), []);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await op.whenIdle();
    await op.stop();
    // A long period: only the start-up scan runs.
    const mark = logs.length;
    op = newOp(600_000);
    await op.start();
    await op.whenIdle();
    await new Promise((r) => setTimeout(r, 500));
    await op.whenIdle();
    const written = logs.slice(mark).filter((l) => l.message === 'profile status updated' || l.level === 'warn');
    assert.deepEqual(op.writes.snapshot(), {}, `no write of any kind after the restart; ${JSON.stringify(written)}`);
  });
});
