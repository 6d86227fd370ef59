// The evaluator's answers for external addresses, IPv6, and the reasons it gives.
import assert from 'node:assert/strict';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { evaluateConnection, type SideVerdict } from '../../../src/analysis/evaluate.js';
import { buildClusterModel, hypotheticalPod } from '../../../src/analysis/model.js';
import { ipEndpoint, podEndpoint, policy, xyzModel } from './fixtures/xyz-cluster.js';

const tcp = (port: number) => ({ port, protocol: 'TCP' as const });

function status(v: SideVerdict): string {
  return v.status;
}

describe('evaluateConnection', () => {
  describe('egress to an external CIDR', () => {
    const model = xyzModel([policy('x', 'to-external', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] }] })]);
    const xa = podEndpoint(model, 'x/a');
    it('allows an address inside the CIDR on the allowed port', () => {
      const d = evaluateConnection(model, xa, ipEndpoint('203.0.113.10'), tcp(443));
      assert.equal(d.allowed, true);
      assert.deepEqual(d.egress, { status: 'allowed', isolatedBy: ['x/to-external'], allowedBy: [{ policy: 'x/to-external', direction: 'Egress', ruleIndex: 0, peerIndex: 0 }] });
      assert.equal(status(d.ingress), 'outside-cluster');
    });
    it('denies another port', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('203.0.113.10'), tcp(80)).allowed, false));
    it('denies an address outside the CIDR', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('198.51.100.1'), tcp(443)).allowed, false));
    it('leaves namespaces without egress policies open', () => {
      assert.equal(evaluateConnection(model, podEndpoint(model, 'y/a'), ipEndpoint('198.51.100.1'), tcp(443)).egress.status, 'not-isolated');
    });
  });

  describe('ipBlock except', () => {
    const model = xyzModel([policy('x', 'except', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }] }] })]);
    const xa = podEndpoint(model, 'x/a');
    it('allows an address in the cidr outside the except', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('10.0.2.9'), tcp(80)).allowed, true));
    it('denies an address in the except', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('10.0.1.9'), tcp(80)).allowed, false));
    it('denies an address outside the cidr', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('10.1.0.1'), tcp(80)).allowed, false));
    it('notes a pod whose IP is inside the block but which the block was not allowed to admit', () => {
      const d = evaluateConnection(model, xa, podEndpoint(model, 'x/b'), tcp(80));
      assert.equal(d.egress.status, 'denied');
      assert.ok(d.egress.status === 'denied' && d.egress.caveats.length === 1 && d.egress.caveats[0]!.includes('10.0.0.2'), JSON.stringify(d.egress));
    });
    it('gives no caveat for a pod whose IP is excepted', () => {
      const d = evaluateConnection(model, xa, podEndpoint(model, 'y/a'), tcp(80));
      assert.ok(d.egress.status === 'denied' && d.egress.caveats.length === 0);
    });
  });

  describe('IPv6', () => {
    const model = xyzModel([policy('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } }] }] })]);
    const xa = podEndpoint(model, 'x/a');
    it('allows an IPv6 address in ::/0', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('2001:db8::1'), tcp(443)).allowed, true));
    it('denies the excepted metadata address', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('fd00:ec2::254'), tcp(80)).allowed, false));
    it('does not let ::/0 admit IPv4', () => assert.equal(evaluateConnection(model, xa, ipEndpoint('1.2.3.4'), tcp(443)).allowed, false));
    it('does not let 0.0.0.0/0 admit IPv6', () => {
      const v4 = xyzModel([policy('x', 'v4', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
      assert.equal(evaluateConnection(v4, podEndpoint(v4, 'x/a'), ipEndpoint('2001:db8::1'), tcp(443)).allowed, false);
      assert.equal(evaluateConnection(v4, podEndpoint(v4, 'x/a'), ipEndpoint('8.8.8.8'), tcp(443)).allowed, true);
    });
  });

  describe('ingress from an external address', () => {
    const model = xyzModel([policy('x', 'from-doc-net', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] })]);
    it('allows a source inside the block', () => {
      const d = evaluateConnection(model, ipEndpoint('192.0.2.7'), podEndpoint(model, 'x/a'), tcp(8080));
      assert.equal(d.allowed, true);
      assert.equal(d.egress.status, 'outside-cluster');
    });
    it('denies a source outside the block', () => assert.equal(evaluateConnection(model, ipEndpoint('192.0.3.7'), podEndpoint(model, 'x/a'), tcp(8080)).allowed, false));
    it('selector peers never match an external address', () => {
      const sel = xyzModel([policy('x', 'all-pods', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
      assert.equal(evaluateConnection(sel, ipEndpoint('192.0.2.7'), podEndpoint(sel, 'x/a'), tcp(80)).allowed, false);
      assert.equal(evaluateConnection(sel, podEndpoint(sel, 'z/c'), podEndpoint(sel, 'x/a'), tcp(80)).allowed, true);
    });
  });

  describe('reasons', () => {
    const model = xyzModel([
      policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('x', 'web', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81 }] }, { from: [{ podSelector: { matchLabels: { pod: 'nope' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] }),
    ]);
    it('names every isolating policy when denied', () => {
      const d = evaluateConnection(model, podEndpoint(model, 'y/a'), podEndpoint(model, 'x/a'), tcp(80));
      assert.deepEqual(d.ingress, { status: 'denied', isolatedBy: ['x/deny', 'x/web'], caveats: [] });
    });
    it('names the rule and the first matching peer when allowed', () => {
      const d = evaluateConnection(model, podEndpoint(model, 'x/b'), podEndpoint(model, 'x/a'), tcp(80));
      assert.deepEqual(d.ingress, { status: 'allowed', isolatedBy: ['x/deny', 'x/web'], allowedBy: [{ policy: 'x/web', direction: 'Ingress', ruleIndex: 1, peerIndex: 1 }] });
    });
    it('lists every rule that allows, without a peer index for a rule with no peers', () => {
      const d = evaluateConnection(model, podEndpoint(model, 'x/b'), podEndpoint(model, 'x/a'), tcp(81));
      assert.ok(d.ingress.status === 'allowed');
      assert.deepEqual(d.ingress.allowedBy, [
        { policy: 'x/web', direction: 'Ingress', ruleIndex: 0 },
        { policy: 'x/web', direction: 'Ingress', ruleIndex: 1, peerIndex: 1 },
      ]);
    });
    it('says not isolated when no policy selects the pod', () => {
      assert.equal(evaluateConnection(model, podEndpoint(model, 'x/a'), podEndpoint(model, 'y/a'), tcp(80)).ingress.status, 'not-isolated');
    });
    it('flags loopback', () => {
      assert.equal(evaluateConnection(model, podEndpoint(model, 'x/a'), podEndpoint(model, 'x/a'), tcp(80)).loopback, true);
      assert.equal(evaluateConnection(model, podEndpoint(model, 'x/b'), podEndpoint(model, 'x/a'), tcp(80)).loopback, false);
    });
  });

  it('reads client-node models (`_from`) like the wire form (`from`)', () => {
    const model: V1NetworkPolicy = { metadata: { namespace: 'x', name: 'model' }, spec: { podSelector: {}, ingress: [{ _from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] } };
    const m = xyzModel([model]);
    assert.equal(evaluateConnection(m, podEndpoint(m, 'x/b'), podEndpoint(m, 'x/a'), tcp(80)).allowed, true);
    assert.equal(evaluateConnection(m, podEndpoint(m, 'x/c'), podEndpoint(m, 'x/a'), tcp(80)).allowed, false);
  });

  describe('special pods', () => {
    it('hostNetwork pods are not governed', () => {
      const model = buildClusterModel({
        policies: [policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
        pods: [{ metadata: { namespace: 'x', name: 'node-agent' }, spec: { hostNetwork: true, containers: [] } }],
      });
      const d = evaluateConnection(model, { kind: 'pod', pod: model.pods[0]! }, { kind: 'ip', ip: { family: 4, value: 1n } }, tcp(80));
      assert.equal(d.egress.status, 'host-network');
      assert.equal(d.allowed, true);
    });
    it('a hypothetical pod is matched by labels and by its namespace labels', () => {
      const model = buildClusterModel({
        policies: [policy('db', 'from-backend', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } }, podSelector: { matchLabels: { app: 'backend' } } }] }] })],
        namespaces: [{ metadata: { name: 'prod', labels: { team: 'a' } } }],
      });
      const to = { kind: 'pod' as const, pod: hypotheticalPod('db', { app: 'postgres' }) };
      assert.equal(evaluateConnection(model, { kind: 'pod', pod: hypotheticalPod('prod', { app: 'backend' }) }, to, tcp(5432)).allowed, true);
      assert.equal(evaluateConnection(model, { kind: 'pod', pod: hypotheticalPod('prod', { app: 'frontend' }) }, to, tcp(5432)).allowed, false);
      assert.equal(evaluateConnection(model, { kind: 'pod', pod: hypotheticalPod('staging', { app: 'backend' }) }, to, tcp(5432)).allowed, false);
    });
    it('a named port never matches a hypothetical destination, which declares no ports', () => {
      const model = buildClusterModel({ policies: [policy('db', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'postgres' }] }] })] });
      const to = { kind: 'pod' as const, pod: hypotheticalPod('db', {}) };
      assert.equal(evaluateConnection(model, ipEndpoint('10.9.9.9'), to, tcp(5432)).allowed, false);
    });
  });
});
