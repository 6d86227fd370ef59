// The operator's cluster findings on the real control plane: every profile says whether a NetworkPolicy
// engine enforces anything and whether a policy (anyone's) reopens the metadata endpoint in a namespace it
// targets, with a Warning Event when that turns bad.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { API_VERSION, KIND, PLURAL, GROUP, VERSION } from '../../src/api/profile.js';
import type { Condition } from '../../src/api/profile.js';
import { createLogger } from '../../src/controller/log.js';
import { ENGINE_CONDITION, METADATA_CONDITION } from '../../src/controller/findings.js';
import { Operator } from '../../src/controller/operator.js';
import { KubeClient } from '../../src/kube/client.js';
import { installCrd } from './crd-install.js';
import { eventually, kubeConfig } from './hooks.js';

const PROFILES = `/apis/${GROUP}/${VERSION}/${PLURAL}`;

describe('operator: policy engine and metadata exposure conditions', function () {
  this.timeout(120_000);
  const id = randomBytes(3).toString('hex');
  const profile = `findings-${id}`;
  const namespace = `findings-${id}`;
  const engineNamespace = `engine-${id}`;
  let api: KubeClient;
  let op: Operator;
  const newOperator = (scanPeriodMs = 300) =>
    new Operator({ kubeConfig: kubeConfig(), healthPort: 0, metricsPort: 0, processMetrics: false, statusDebounceMs: 100, scanPeriodMs, rescanDelayMs: 200, logger: createLogger('error') });

  const conditions = async (): Promise<Condition[]> => (await api.request<{ status?: { conditions?: Condition[] } }>('GET', `${PROFILES}/${profile}`)).status?.conditions ?? [];
  const condition = async (type: string) => (await conditions()).find((c) => c.type === type);

  before(async () => {
    api = new KubeClient(kubeConfig(), { qps: 0 });
    await installCrd(kubeConfig());
    for (const name of [namespace, engineNamespace]) await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [`findings-${id}`]: 'on' } } } });
    await api.request('POST', PROFILES, { body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: profile }, spec: { namespaceSelector: { matchLabels: { [`findings-${id}`]: 'on' } }, excludeNamespaces: [engineNamespace] } } });
    op = newOperator();
    await op.start();
  });

  after(async () => {
    await op?.stop();
    await api.request('DELETE', `${PROFILES}/${profile}`).catch(() => {});
    for (const name of [namespace, engineNamespace]) await api.request('DELETE', `/api/v1/namespaces/${name}`).catch(() => {});
  });

  it('says no engine enforces NetworkPolicies on a cluster without one, and warns with an Event', async () => {
    const c = await eventually(async () => {
      const got = await condition(ENGINE_CONDITION);
      assert.equal(got?.status, 'False');
      return got!;
    });
    assert.equal(c.reason, 'NoEngineFound');
    // The finding's own sentence, said once (not wrapped in a second one that repeats it).
    assert.match(c.message, /^no NetworkPolicy engine found: NetworkPolicies are stored but NOT enforced \(checked \d+ DaemonSets, \d+ nodes\)$/);
    await eventually(async () => {
      const events = await api.request<{ items: { reason: string; regarding?: { name?: string } }[] }>('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
      assert.ok(events.items.some((e) => e.reason === 'NoPolicyEngine' && e.regarding?.name === profile));
    });
  });

  it('says the metadata endpoint is blocked while only our policies exist', async () => {
    await eventually(async () => assert.equal((await condition(METADATA_CONDITION))?.status, 'True'));
  });

  it("names a user's policy that reopens the metadata endpoint, and clears when it is fixed", async () => {
    const path = `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`;
    await api.request('POST', path, {
      body: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'internet' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } },
    });
    const reopened = await eventually(async () => {
      const got = await condition(METADATA_CONDITION);
      assert.equal(got?.status, 'False');
      return got!;
    });
    assert.match(reopened.message, new RegExp(`${namespace}: ${namespace}/internet egress\\[0\\] opens 169\\.254\\.169\\.254/32`));
    await api.request('PATCH', `${path}/internet`, { body: { spec: { egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '100.100.100.200/32'] } }] }] } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => assert.equal((await condition(METADATA_CONDITION))?.status, 'True'));
  });

  it('sees an engine once its DaemonSet runs', async () => {
    const ds = `/apis/apps/v1/namespaces/${engineNamespace}/daemonsets`;
    await api.request('POST', ds, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'calico-node' },
        spec: { selector: { matchLabels: { k8s: 'calico-node' } }, template: { metadata: { labels: { k8s: 'calico-node' } }, spec: { containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.29.0' }] } } },
      },
    });
    // No kubelet here: report one ready pod through the status subresource, as the DaemonSet controller would.
    await api.request('PATCH', `${ds}/calico-node/status`, { body: { status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberMisscheduled: 0 } }, contentType: 'application/merge-patch+json' });
    const c = await eventually(async () => {
      const got = await condition(ENGINE_CONDITION);
      assert.equal(got?.status, 'True');
      return got!;
    });
    assert.match(c.message, /Calico/);
  });

  it('writes nothing when restarted with the cluster scan on (after a namespace and a profile change)', async () => {
    // A long period: only the start-up scan and the rescan after the profile change below run.
    await op.stop();
    op = newOperator(600_000);
    await op.start();
    await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${namespace}-late`, labels: { [`findings-${id}`]: 'on' } } } });
    await api.request('PATCH', `${PROFILES}/${profile}`, { body: { spec: { allow: [{ name: 'web', from: { podSelector: {} }, to: { podSelector: { matchLabels: { app: 'web' } } } }] } }, contentType: 'application/merge-patch+json' });
    await eventually(async () => {
      await op.whenIdle();
      const got = await api.request<{ items: unknown[] }>('GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}-late/networkpolicies`);
      assert.ok(got.items.length >= 3);
    });
    await new Promise((r) => setTimeout(r, 500)); // let the rescan after the profile change run
    await op.whenIdle();
    await op.stop();
    op = newOperator(600_000);
    await op.start();
    await op.whenIdle();
    await new Promise((r) => setTimeout(r, 500));
    await op.whenIdle();
    assert.deepEqual(op.writes.snapshot(), {}, 'no write of any kind after the restart');
    await api.request('DELETE', `/api/v1/namespaces/${namespace}-late`).catch(() => {});
  });
});
