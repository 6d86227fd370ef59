import assert from 'node:assert/strict';
import type { NetworkPolicy } from '../../../src/api/networkpolicy.js';
import { compileProfile, render } from '../../../src/compile/render.js';
import { ns, profile } from './helpers.js';

const byPurpose = (policies: NetworkPolicy[], purpose: string) => policies.filter((p) => p.metadata.labels?.['segmentation.dev/purpose'] === purpose);
const names = (policies: NetworkPolicy[]) => policies.map((p) => p.metadata.name);

describe('render: default deny, DNS and metadata', () => {
  it('denies ingress and egress by default and allows DNS on UDP and TCP 53 in one AND-ed peer', () => {
    const out = render(profile('base'), ns('shop'));
    assert.deepEqual(names(out), ['seg.base.deny-all', 'seg.base.dns']);
    const [deny] = byPurpose(out, 'deny-all');
    assert.deepEqual(deny!.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const [dns] = byPurpose(out, 'dns');
    assert.deepEqual(dns!.spec.egress, [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('emits no allow-all-but-metadata policy when egress is denied (it would reopen egress)', () => {
    const out = render(profile('base'), ns('shop'));
    assert.equal(byPurpose(out, 'deny-metadata').length, 0);
    for (const p of out) for (const rule of p.spec.egress ?? []) for (const peer of rule.to ?? []) assert.notEqual(peer.ipBlock?.cidr, '0.0.0.0/0');
  });

  it('blocks metadata with same-family excepts and a namespaceSelector peer when egress is open', () => {
    const out = render(profile('m', { defaultDeny: { ingress: false, egress: false }, instanceMetadata: { cidrs: ['169.254.169.254/32', 'fd00:ec2::254/128', '100.100.100.200/32'] } }), ns('shop'));
    assert.deepEqual(names(out), ['seg.m.deny-metadata']);
    assert.deepEqual(out[0]!.spec, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '100.100.100.200/32'] } },
            { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } },
            { namespaceSelector: {} },
          ],
        },
      ],
    });
  });

  it('emits nothing for metadata when instanceMetadata.deny is false and egress is open', () => {
    assert.deepEqual(render(profile('m', { defaultDeny: { ingress: true, egress: false }, instanceMetadata: { deny: false } }), ns('shop')).map((p) => p.metadata.name), ['seg.m.deny-all']);
  });

  it('denies only ingress when egress is not denied, without a DNS policy', () => {
    const out = render(profile('i', { defaultDeny: { ingress: true, egress: false } }), ns('shop'));
    assert.deepEqual(names(out), ['seg.i.deny-all', 'seg.i.deny-metadata']);
    assert.deepEqual(byPurpose(out, 'deny-all')[0]!.spec.policyTypes, ['Ingress']);
  });

  it('adds NodeLocal DNSCache as an ipBlock peer on the DNS rule', () => {
    const out = render(profile('d', { dns: { nodeLocalCIDRs: ['169.254.20.10/32'] } }), ns('shop'));
    const peers = byPurpose(out, 'dns')[0]!.spec.egress![0]!.to!;
    assert.deepEqual(peers[1], { ipBlock: { cidr: '169.254.20.10/32' } });
  });

  it('uses a configurable DNS namespace and pod selector', () => {
    const out = render(profile('d', { dns: { namespace: 'dns', podSelector: { matchLabels: { app: 'coredns' } } } }), ns('shop'));
    assert.deepEqual(byPurpose(out, 'dns')[0]!.spec.egress![0]!.to![0], { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } });
  });

  it('keeps DNS servers reachable when the DNS namespace itself is targeted', () => {
    const out = render(profile('sys', { includeSystemNamespaces: true }), ns('kube-system'));
    const [server] = byPurpose(out, 'dns-server');
    assert.ok(server, 'dns-server policy expected in kube-system');
    assert.deepEqual(server.spec.podSelector, { matchLabels: { 'k8s-app': 'kube-dns' } });
    assert.deepEqual(server.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(server.spec.ingress![0]!.ports, [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    // Its egress never reopens the metadata endpoint.
    const blocks = server.spec.egress![0]!.to!.flatMap((p) => (p.ipBlock ? [p.ipBlock] : []));
    assert.deepEqual(blocks, [
      { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] },
      { cidr: '::/0', except: ['fd00:ec2::254/128'] },
    ]);
  });
});

describe('render: allow rules', () => {
  const backendToDb = { name: 'backend-to-db', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ port: 5432 }] };

  it('emits the ingress side on the destination and the egress side on the source under default deny', () => {
    const out = render(profile('p', { allow: [backendToDb] }), ns('shop'));
    const [ingress] = byPurpose(out, 'allow-ingress');
    const [egress] = byPurpose(out, 'allow-egress');
    assert.deepEqual(ingress!.spec, {
      podSelector: { matchLabels: { app: 'database' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    assert.deepEqual(egress!.spec, {
      podSelector: { matchLabels: { app: 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    assert.equal(ingress!.metadata.labels!['segmentation.dev/rule'], 'backend-to-db');
  });

  it('never isolates pods the profile did not mean to isolate: no egress side when egress is open', () => {
    const out = render(profile('p', { defaultDeny: { ingress: true, egress: false }, allow: [backendToDb] }), ns('shop'));
    assert.equal(byPurpose(out, 'allow-egress').length, 0);
    assert.equal(byPurpose(out, 'allow-ingress').length, 1);
  });

  it('isolates the destination pods even when ingress is open: the rule names them, as a NetworkPolicy on them would', () => {
    const out = render(profile('p', { defaultDeny: { ingress: false, egress: true }, allow: [backendToDb] }), ns('shop'));
    assert.equal(byPurpose(out, 'allow-ingress').length, 1);
    assert.deepEqual(byPurpose(out, 'allow-ingress')[0]!.spec.podSelector, { matchLabels: { app: 'database' } });
    assert.equal(byPurpose(out, 'allow-egress').length, 1);
  });

  it('guards an external ipBlock with the metadata CIDRs of its own family that fall inside it', () => {
    const rule = (cidr: string) => ({ name: 'out', from: { podSelector: {} }, to: { ipBlock: { cidr } }, ports: [{ port: 443 }] });
    const egressBlock = (cidr: string) => byPurpose(render(profile('p', { allow: [rule(cidr)] }), ns('shop')), 'allow-egress')[0]!.spec.egress![0]!.to![0]!.ipBlock;
    assert.deepEqual(egressBlock('203.0.113.0/24'), { cidr: '203.0.113.0/24' });
    assert.deepEqual(egressBlock('0.0.0.0/0'), { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] });
    assert.deepEqual(egressBlock('169.254.0.0/16'), { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] });
    assert.deepEqual(egressBlock('::/0'), { cidr: '::/0', except: ['fd00:ec2::254/128'] });
    assert.deepEqual(egressBlock('2001:db8::/32'), { cidr: '2001:db8::/32' });
  });

  it("keeps the user's excepts and does not repeat a metadata CIDR they already cover", () => {
    const out = render(profile('p', { allow: [{ name: 'out', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.0.0.0/8', except: ['169.254.0.0/16'] } } }] }), ns('shop'));
    assert.deepEqual(byPurpose(out, 'allow-egress')[0]!.spec.egress![0]!.to![0]!.ipBlock, { cidr: '169.0.0.0/8', except: ['169.254.0.0/16'] });
  });

  it('refuses to compile a rule that could only allow the metadata endpoint', () => {
    const result = compileProfile(profile('p', { allow: [{ name: 'imds', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.254.169.254/32' } } }] }));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.errors[0]! : '', /spec\.allow\[0\]\.to\.ipBlock\.cidr: 169\.254\.169\.254\/32 lies inside the instance-metadata CIDR/);
  });

  it('allows the metadata endpoint when the profile says deny: false', () => {
    const result = compileProfile(profile('p', { instanceMetadata: { deny: false }, allow: [{ name: 'imds', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.254.169.254/32' } } }] }));
    assert.equal(result.ok, true);
  });

  it('emits the egress side in a source namespace that the same profile targets (monitoring scrapes every namespace)', () => {
    const p = profile('p', {
      allow: [{ name: 'scrape', from: { podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }, to: { podSelector: {} }, ports: [{ port: 9090 }] }],
    });
    const app = render(p, ns('shop'));
    const mon = render(p, ns('monitoring'));
    // In the app namespace: ingress from prometheus in monitoring; no egress side (its source is elsewhere).
    assert.deepEqual(byPurpose(app, 'allow-ingress')[0]!.spec.ingress![0]!.from, [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } },
    ]);
    assert.equal(byPurpose(app, 'allow-egress').length, 0);
    // In monitoring: prometheus may reach every pod in every namespace the profile targets.
    const [egress] = byPurpose(mon, 'allow-egress');
    assert.deepEqual(egress!.spec.podSelector, { matchLabels: { app: 'prometheus' } });
    assert.deepEqual(egress!.spec.egress![0]!.to, [
      {
        namespaceSelector: {
          matchExpressions: [
            { key: 'segmentation.dev/ignore', operator: 'NotIn', values: ['true'] },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-node-lease', 'kube-public', 'kube-system'] },
          ],
        },
        podSelector: {},
      },
    ]);
  });

  it('targets the ingress side at namespaces matching the destination namespaceSelector only', () => {
    const p = profile('p', { allow: [{ name: 'to-db', from: { podSelector: { matchLabels: { app: 'api' } } }, to: { podSelector: { matchLabels: { app: 'pg' } }, namespaceSelector: { matchLabels: { role: 'data' } } }, ports: [{ port: 5432 }] }] });
    const data = render(p, ns('db', { role: 'data' }));
    const app = render(p, ns('shop'));
    assert.equal(byPurpose(data, 'allow-ingress').length, 1);
    assert.equal(byPurpose(app, 'allow-ingress').length, 0);
    assert.deepEqual(byPurpose(app, 'allow-egress')[0]!.spec.egress![0]!.to, [{ namespaceSelector: { matchLabels: { role: 'data' } }, podSelector: { matchLabels: { app: 'pg' } } }]);
  });

  it('passes port ranges and named ports through, protocol defaulting to TCP', () => {
    const out = render(profile('p', { allow: [{ name: 'r', from: { podSelector: {} }, to: { podSelector: {} }, ports: [{ port: 8000, endPort: 8080 }, { protocol: 'UDP', port: 'dns' }] }] }), ns('shop'));
    assert.deepEqual(byPurpose(out, 'allow-ingress')[0]!.spec.ingress![0]!.ports, [
      { protocol: 'TCP', port: 8000, endPort: 8080 },
      { protocol: 'UDP', port: 'dns' },
    ]);
  });
});

describe('render: targeting', () => {
  const cases: [string, Parameters<typeof profile>[1], ReturnType<typeof ns>, boolean][] = [
    ['every namespace when no selector', {}, ns('shop'), true],
    ['matching selector', { namespaceSelector: { matchLabels: { team: 'a' } } }, ns('shop', { team: 'a' }), true],
    ['non-matching selector', { namespaceSelector: { matchLabels: { team: 'a' } } }, ns('shop', { team: 'b' }), false],
    ['matchExpressions NotIn', { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }, ns('shop', { env: 'dev' }), false],
    ['exact exclude', { excludeNamespaces: ['shop'] }, ns('shop'), false],
    ['glob exclude', { excludeNamespaces: ['sandbox-*'] }, ns('sandbox-alice'), false],
    ['glob ? exclude', { excludeNamespaces: ['team-?'] }, ns('team-a'), false],
    ['glob does not over-match', { excludeNamespaces: ['team-?'] }, ns('team-ab'), true],
    ['opt-out label', {}, ns('shop', { 'segmentation.dev/ignore': 'true' }), false],
    ['kube-system never by default', {}, ns('kube-system'), false],
    ['kube-public never by default', {}, ns('kube-public'), false],
    ['kube-node-lease never by default', {}, ns('kube-node-lease'), false],
    ['kube-system when opted in', { includeSystemNamespaces: true }, ns('kube-system'), true],
    ['opt-out label beats opt-in', { includeSystemNamespaces: true }, ns('kube-system', { 'segmentation.dev/ignore': 'true' }), false],
  ];
  for (const [title, spec, namespace, expected] of cases) {
    it(`${expected ? 'targets' : 'skips'}: ${title}`, () => {
      assert.equal(render(profile('t', spec), namespace).length > 0, expected);
    });
  }
});
