// The evaluator's ipBlock reading option (ClusterModel.ipBlockMatchesPodIps), as a pure table: the
// default stays conservative (an ipBlock never admits a pod), the option admits pods whose IP the
// block contains (what kube-router does, measured by the ipblock-pod-ips scenario), and addresses
// outside the cluster are read the same way by both.
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { parseIp } from '../../src/analysis/cidr.js';
import { evaluateConnection } from '../../src/analysis/evaluate.js';
import { buildClusterModel } from '../../src/analysis/model.js';
import type { PolicyObject } from '../../src/api/networkpolicy.js';

const pod = (name: string, ip: string): V1Pod => ({ metadata: { name, namespace: 'shop', labels: { app: name } }, spec: { containers: [] }, status: { podIP: ip, podIPs: [{ ip }] } });
const egressToRange: PolicyObject = {
  metadata: { name: 'to-range', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.9.0/24'] } }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
};
const base = buildClusterModel({ policies: [egressToRange], pods: [pod('frontend', '10.244.0.1'), pod('backend', '10.244.0.2'), pod('excepted', '10.244.9.9')] });
const find = (name: string) => ({ kind: 'pod' as const, pod: base.pods.find((p) => p.name === name)! });
const tcp8080 = { port: 8080, protocol: 'TCP' as const };

describe('evaluator option ipBlockMatchesPodIps (the reading of engines that match ipBlocks on addresses)', () => {
  const cases: Array<{ to: string; option: boolean | undefined; allowed: boolean }> = [
    { to: 'backend', option: undefined, allowed: false },
    { to: 'backend', option: false, allowed: false },
    { to: 'backend', option: true, allowed: true },
    { to: 'excepted', option: true, allowed: false },
  ];
  for (const c of cases) {
    it(`frontend -> ${c.to} with ipBlockMatchesPodIps=${c.option}: ${c.allowed ? 'allowed' : 'denied'}`, () => {
      const model = c.option === undefined ? base : { ...base, ipBlockMatchesPodIps: c.option };
      assert.equal(evaluateConnection(model, find('frontend'), find(c.to), tcp8080).allowed, c.allowed);
    });
  }
  it('an address outside the cluster is read the same with and without the option', () => {
    const ip = { kind: 'ip' as const, ip: parseIp('10.244.3.3')! };
    assert.equal(evaluateConnection(base, find('frontend'), ip, tcp8080).allowed, true);
    assert.equal(evaluateConnection({ ...base, ipBlockMatchesPodIps: true }, find('frontend'), ip, tcp8080).allowed, true);
  });
});
