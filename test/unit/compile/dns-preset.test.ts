// spec.dns.preset: AKSLocalDNS allows AKS LocalDNS (169.254.10.10/11) on UDP and TCP 53 next to cluster DNS.
import assert from 'node:assert/strict';
import { render } from '../../../src/compile/render.js';
import { profileWarnings } from '../../../src/compile/warnings.js';
import { ipBlockAdmitsIp } from '../../../src/analysis/policy-rules.js';
import { parseIp } from '../../../src/analysis/cidr.js';
import { ns, profile } from './helpers.js';

describe('dns preset AKSLocalDNS', () => {
  it('adds 169.254.10.0/24 to the DNS policy, on UDP and TCP 53, after the cluster DNS pods and NodeLocal DNSCache', () => {
    const dns = render(profile('p', { dns: { preset: 'AKSLocalDNS', nodeLocalCIDRs: ['169.254.20.10/32'] } }), ns('shop')).find((p) => p.metadata.name === 'seg.p.dns')!;
    const rule = dns.spec.egress![0]!;
    assert.deepEqual(rule.to!.slice(1), [{ ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '169.254.10.0/24' } }]);
    assert.deepEqual(rule.ports, [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  it('never opens the metadata endpoint and is absent without the preset', () => {
    const without = render(profile('p'), ns('shop')).find((p) => p.metadata.name === 'seg.p.dns')!;
    assert.equal(without.spec.egress![0]!.to!.length, 1);
    const withPreset = render(profile('p', { dns: { preset: 'AKSLocalDNS' } }), ns('shop'));
    const blocks = withPreset.flatMap((p) => (p.spec.egress ?? []).flatMap((r) => (r.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))));
    assert.ok(blocks.some((b) => ipBlockAdmitsIp(b, parseIp('169.254.10.10')!)), 'LocalDNS is admitted');
    assert.ok(!blocks.some((b) => ipBlockAdmitsIp(b, parseIp('169.254.169.254')!)), 'the metadata endpoint is not');
  });

  it('has no effect with open egress, and says so', () => {
    const p = profile('p', { defaultDeny: { ingress: true, egress: false }, dns: { preset: 'AKSLocalDNS' } });
    assert.deepEqual(profileWarnings(p).map((w) => w.path), ['spec.dns.preset']);
  });
});
