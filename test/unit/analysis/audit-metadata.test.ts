// Metadata-exposure audit: which namespaces can reach a metadata endpoint, and who opened it.
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { auditMetadataExposure, DEFAULT_METADATA_CIDRS } from '../../../src/analysis/audit-metadata.js';
import { namespace, policy } from './fixtures/xyz-cluster.js';

const denyEgress = (ns: string) => policy(ns, 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const allowInternet = (ns: string, except: string[]) =>
  policy(ns, 'internet', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except } }], ports: [{ port: 443 }] }] });
const podIn = (ns: string, name: string, labels: Record<string, string>, hostNetwork = false): V1Pod => ({ metadata: { namespace: ns, name, labels }, spec: { containers: [], hostNetwork } });

describe('auditMetadataExposure', () => {
  it('defaults to the AWS/Azure/GCP, AWS IPv6 and Alibaba endpoints', () => {
    assert.deepEqual(auditMetadataExposure([], []).metadataCidrs, [...DEFAULT_METADATA_CIDRS]);
  });

  it('a namespace without egress policies is exposed (unisolated)', () => {
    const report = auditMetadataExposure([], [namespace('x')]);
    assert.equal(report.exposed, true);
    assert.deepEqual(report.namespaces, [{ namespace: 'x', exposed: true, openedBy: [], unisolated: { reason: 'no-egress-policy', detail: 'no NetworkPolicy restricts egress in this namespace' } }]);
  });

  it('default-deny egress closes the namespace', () => {
    const report = auditMetadataExposure([denyEgress('x')], [namespace('x')]);
    assert.equal(report.exposed, false);
    assert.deepEqual(report.namespaces[0], { namespace: 'x', exposed: false, openedBy: [] });
  });

  it('names the policy whose 0.0.0.0/0 reopens IPv4 metadata despite a deny-all elsewhere', () => {
    const report = auditMetadataExposure([denyEgress('x'), allowInternet('x', ['10.0.0.0/8'])], [namespace('x')]);
    const ns = report.namespaces[0]!;
    assert.equal(ns.exposed, true);
    assert.deepEqual(
      ns.openedBy.map((o) => [o.policy, o.ruleIndex, o.cidr, o.via, o.ports, o.podSelector]),
      [
        ['x/internet', 0, '169.254.169.254/32', 'ipBlock 0.0.0.0/0 (to[0])', '443/TCP', 'app=web'],
        ['x/internet', 0, '100.100.100.200/32', 'ipBlock 0.0.0.0/0 (to[0])', '443/TCP', 'app=web'],
      ],
    );
  });

  it('an except covering the metadata CIDRs keeps it closed', () => {
    const report = auditMetadataExposure([denyEgress('x'), allowInternet('x', ['169.254.169.254/32', '100.100.100.200/32'])], [namespace('x')]);
    assert.equal(report.exposed, false);
  });

  it('a partially covering except still leaves a configured wider metadata range open', () => {
    const report = auditMetadataExposure([denyEgress('x'), allowInternet('x', ['169.254.169.254/32'])], [namespace('x')], undefined, { metadataCidrs: ['169.254.169.254/31'] });
    assert.equal(report.exposed, true);
  });

  it('a rule with no destinations opens every metadata CIDR, IPv6 included', () => {
    const open = policy('y', 'egress-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    const report = auditMetadataExposure([open], [namespace('y')]);
    assert.deepEqual(report.namespaces[0]!.openedBy.map((o) => o.cidr), ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32']);
  });

  it('selector peers do not open metadata', () => {
    const toPods = policy('y', 'to-pods', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] });
    assert.equal(auditMetadataExposure([toPods], [namespace('y')]).exposed, false);
  });

  it('without pods, egress policies that do not select every pod leave the namespace exposed', () => {
    const webOnly = policy('z', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    const ns = auditMetadataExposure([webOnly], [namespace('z')]).namespaces[0]!;
    assert.equal(ns.exposed, true);
    assert.equal(ns.unisolated?.reason, 'not-selected');
    assert.match(ns.unisolated?.detail ?? '', /app=web/);
  });

  describe('with pods (exact)', () => {
    const webOnly = policy('z', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    it('is not exposed when every existing pod is isolated', () => {
      const report = auditMetadataExposure([webOnly], [namespace('z')], [podIn('z', 'w1', { app: 'web' })]);
      assert.equal(report.exposed, false);
    });
    it('lists the unisolated pods, marking hostNetwork pods', () => {
      const ns = auditMetadataExposure([webOnly], [namespace('z')], [podIn('z', 'w1', { app: 'web' }), podIn('z', 'db', { app: 'db' }), podIn('z', 'agent', { app: 'web' }, true)]).namespaces[0]!;
      assert.deepEqual(ns.unisolated?.pods, ['z/db', 'z/agent (hostNetwork)']);
    });
    it('lists the pods an opening rule applies to, and an opening that selects no pod is latent', () => {
      const pods = [podIn('x', 'api', { app: 'api' })];
      const report = auditMetadataExposure([denyEgress('x'), allowInternet('x', [])], [namespace('x')], pods);
      assert.equal(report.exposed, false);
      assert.deepEqual(report.namespaces[0]!.openedBy[0]!.pods, []);
      const withWeb = auditMetadataExposure([denyEgress('x'), allowInternet('x', [])], [namespace('x')], [...pods, podIn('x', 'web', { app: 'web' })]);
      assert.equal(withWeb.exposed, true);
      assert.deepEqual(withWeb.namespaces[0]!.openedBy[0]!.pods, ['x/web']);
    });
  });

  it('reports namespaces that only appear on policies or pods, sorted', () => {
    const report = auditMetadataExposure([denyEgress('b')], [namespace('c')], [podIn('a', 'p', {})]);
    assert.deepEqual(report.namespaces.map((n) => n.namespace), ['a', 'b', 'c']);
  });

  it('rejects an invalid metadata CIDR', () => {
    assert.throws(() => auditMetadataExposure([], [], undefined, { metadataCidrs: ['169.254.169.254'] }), /invalid metadata CIDR/);
  });
});
