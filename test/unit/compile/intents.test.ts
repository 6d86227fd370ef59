// The intents of the AKS guidance beyond default deny: destination isolation without a namespace-wide
// deny, ingress from external ranges, metadata exceptions, node port blocking and API-server egress.
import assert from 'node:assert/strict';
import type { NetworkPolicy } from '../../../src/api/networkpolicy.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import { compileProfile, render } from '../../../src/compile/render.js';
import { formatWarning, profileWarnings } from '../../../src/compile/warnings.js';
import { ns, profile } from './helpers.js';

const byPurpose = (policies: NetworkPolicy[], purpose: string) => policies.filter((p) => p.metadata.labels?.['segmentation.dev/purpose'] === purpose);
const names = (policies: NetworkPolicy[]) => policies.map((p) => p.metadata.name);
const API = { addresses: ['10.0.0.1', '10.0.0.2'], ports: [{ protocol: 'TCP' as const, port: 6443 }] };

describe('intents: destination isolation without a default deny', () => {
  it("renders the AKS demo's app=api lockdown (nothing default-denied) as one ingress policy on app=api", () => {
    const p = profile('lockdown', {
      namespaceSelector: { matchLabels: { lockdown: 'yes' } },
      defaultDeny: { ingress: false, egress: false },
      instanceMetadata: { deny: false },
      allow: [{ name: 'api-from-api', from: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }, to: { podSelector: { matchLabels: { app: 'api' } } } }],
    });
    const out = render(p, ns('demo', { lockdown: 'yes' }));
    assert.deepEqual(names(out), ['seg.lockdown.allow.api-from-api.ingress']);
    assert.deepEqual(out[0]!.spec, {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }] }],
    });
  });

  it('renders "Restrict Ingress to Database Pods" with ingress open: database admits only backend', () => {
    const p = profile('db', {
      defaultDeny: { ingress: false, egress: false },
      allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ port: 5432 }] }],
    });
    const out = render(p, ns('shop'));
    assert.deepEqual(names(out), ['seg.db.allow.backend-to-database.ingress', 'seg.db.deny-metadata']);
    assert.equal(byPurpose(out, 'allow-egress').length, 0, 'egress of backend stays open: naming it as a source does not isolate it');
  });
});

describe('intents: ingress from external address ranges', () => {
  const fromLb = (block: { cidr: string; except?: string[] }) => ({ name: 'lb-to-frontend', from: { ipBlock: block }, to: { podSelector: { matchLabels: { app: 'frontend' } } }, ports: [{ port: 443 }] });

  it('emits only the ingress side, with the range (IPv4 or IPv6, with except) as source', () => {
    for (const block of [{ cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] }, { cidr: '2001:db8::/32' }]) {
      const out = render(profile('p', { allow: [fromLb(block)] }), ns('shop'));
      assert.equal(byPurpose(out, 'allow-egress').length, 0);
      const [ingress] = byPurpose(out, 'allow-ingress');
      assert.deepEqual(ingress!.spec.ingress, [{ from: [{ ipBlock: block }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    }
  });

  it('rejects a rule with ipBlocks on both ends, naming the field', () => {
    const parsed = segmentationProfileSchema.safeParse({
      apiVersion: 'segmentation.dev/v1alpha1',
      kind: 'SegmentationProfile',
      metadata: { name: 'p' },
      spec: { allow: [{ name: 'r', from: { ipBlock: { cidr: '10.0.0.0/8' } }, to: { ipBlock: { cidr: '10.0.0.0/16' } } }] },
    });
    assert.equal(parsed.success, false);
    const issue = parsed.error!.issues[0]!;
    assert.deepEqual(issue.path, ['spec', 'allow', 0, 'to', 'ipBlock']);
    assert.match(issue.message, /one end of a rule must be pods/);
  });
});

describe('intents: metadata exceptions by label', () => {
  const agent = { podSelector: { matchLabels: { app: 'agent' } } };

  for (const egress of [true, false]) {
    it(`gives only the selected pods an allow to the metadata CIDRs (egress ${egress ? 'denied' : 'open'})`, () => {
      const out = render(profile('p', { defaultDeny: { ingress: true, egress }, instanceMetadata: { allowFrom: [{ ...agent, ports: [{ port: 80 }] }] } }), ns('shop'));
      const [exception] = byPurpose(out, 'allow-metadata');
      assert.equal(exception!.metadata.name, 'seg.p.allow-metadata.0');
      assert.deepEqual(exception!.spec, {
        podSelector: { matchLabels: { app: 'agent' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }, { ipBlock: { cidr: 'fd00:ec2::254/128' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      });
      assert.equal(exception!.metadata.labels!['segmentation.dev/rule'], undefined);
    });
  }

  it('is honoured only in the targeted namespaces its namespaceSelector matches', () => {
    const p = profile('p', { instanceMetadata: { allowFrom: [{ ...agent, namespaceSelector: { matchLabels: { imds: 'allowed' } } }] } });
    assert.equal(byPurpose(render(p, ns('shop')), 'allow-metadata').length, 0);
    assert.equal(byPurpose(render(p, ns('infra', { imds: 'allowed' })), 'allow-metadata').length, 1);
  });

  it('emits nothing while the profile does not block the endpoint', () => {
    const out = render(profile('p', { instanceMetadata: { deny: false, allowFrom: [agent] } }), ns('shop'));
    assert.equal(byPurpose(out, 'allow-metadata').length, 0);
  });

  it('refuses an entry without podSelector, naming the field', () => {
    const parsed = segmentationProfileSchema.safeParse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'p' }, spec: { instanceMetadata: { allowFrom: [{ namespaceSelector: {} }] } } });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error!.issues[0]!.path, ['spec', 'instanceMetadata', 'allowFrom', 0, 'podSelector']);
  });

  it('an allow rule to a metadata CIDR still does not compile, and the error points to allowFrom', () => {
    const result = compileProfile(profile('p', { allow: [{ name: 'imds', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.254.169.254/32' } } }] }));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.errors[0]! : '', /spec\.allow\[0\]\.to\.ipBlock\.cidr: .*spec\.instanceMetadata\.allowFrom/);
  });
});

describe('intents: node SSH block', () => {
  const nodes = { cidrs: ['10.224.0.0/16'] };

  it('defaults denyPorts to TCP 22', () => {
    assert.deepEqual(profile('p', { nodeAccess: nodes }).spec.nodeAccess!.denyPorts, [{ protocol: 'TCP', port: 22 }]);
  });

  it('splits the open-egress policy: the node range leaves 0.0.0.0/0 and comes back on every port but 22', () => {
    const out = render(profile('p', { defaultDeny: { ingress: true, egress: false }, nodeAccess: nodes }), ns('shop'));
    const [open] = byPurpose(out, 'deny-metadata');
    assert.deepEqual(open!.spec.egress, [
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.224.0.0/16'] } }, { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } }, { namespaceSelector: {} }],
      },
      {
        to: [{ ipBlock: { cidr: '10.224.0.0/16' } }],
        ports: [{ protocol: 'TCP', port: 1, endPort: 21 }, { protocol: 'TCP', port: 23, endPort: 65535 }, { protocol: 'UDP' }, { protocol: 'SCTP' }],
      },
    ]);
  });

  it('emits a deny-node-ports policy when egress is open and the metadata block is off', () => {
    const out = render(profile('p', { defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: false }, nodeAccess: nodes }), ns('shop'));
    assert.deepEqual(names(out), ['seg.p.deny-node-ports']);
    assert.deepEqual(out[0]!.spec.egress![0]!.to![0], { ipBlock: { cidr: '0.0.0.0/0', except: ['10.224.0.0/16'] } });
  });

  it('splits a rule ipBlock around the nodes on the denied ports only, and leaves non-overlapping ports alone', () => {
    const rule = (ports: { protocol?: 'TCP' | 'UDP'; port?: number; endPort?: number }[] | undefined) => ({ name: 'out', from: { podSelector: {} }, to: { ipBlock: { cidr: '10.0.0.0/8', except: ['10.224.5.0/24'] } }, ...(ports ? { ports } : {}) });
    const egressOf = (ports: Parameters<typeof rule>[0]) => byPurpose(render(profile('p', { nodeAccess: { cidrs: ['10.224.0.0/16'], denyPorts: [{ port: 22 }, { protocol: 'TCP', port: 2375, endPort: 2376 }] }, allow: [rule(ports)] }), ns('shop')), 'allow-egress')[0]!.spec.egress;
    assert.deepEqual(egressOf([{ port: 443 }]), [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.224.5.0/24'] } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    assert.deepEqual(egressOf([{ port: 1, endPort: 3000 }]), [
      { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.224.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 1, endPort: 3000 }] },
      { to: [{ ipBlock: { cidr: '10.224.0.0/16', except: ['10.224.5.0/24'] } }], ports: [{ protocol: 'TCP', port: 1, endPort: 21 }, { protocol: 'TCP', port: 23, endPort: 2374 }, { protocol: 'TCP', port: 2377, endPort: 3000 }] },
    ]);
  });

  it('moves a block that lies inside a node range entirely to the reduced ports', () => {
    const out = render(profile('p', { nodeAccess: nodes, allow: [{ name: 'node', from: { podSelector: {} }, to: { ipBlock: { cidr: '10.224.0.4/32' } }, ports: [{ port: 22 }, { port: 10250 }] }] }), ns('shop'));
    assert.deepEqual(byPurpose(out, 'allow-egress')[0]!.spec.egress, [{ to: [{ ipBlock: { cidr: '10.224.0.4/32' } }], ports: [{ protocol: 'TCP', port: 10250 }] }]);
  });

  it('adds nothing when egress is denied and no allow covers the nodes (the default deny blocks SSH already)', () => {
    const without = render(profile('p', {}), ns('shop'));
    const withNodes = render(profile('p', { nodeAccess: nodes }), ns('shop'));
    assert.deepEqual(withNodes, without);
  });

  it('handles IPv6 node ranges in ::/0 and refuses an IPv4-mapped IPv6 node range', () => {
    const out = render(profile('p', { defaultDeny: { ingress: true, egress: false }, nodeAccess: { cidrs: ['fd10::/64'] } }), ns('shop'));
    assert.deepEqual(byPurpose(out, 'deny-metadata')[0]!.spec.egress![0]!.to![1], { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128', 'fd10::/64'] } });
    const parsed = segmentationProfileSchema.safeParse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'p' }, spec: { nodeAccess: { cidrs: ['::ffff:10.0.0.0/104'] } } });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error!.issues[0]!.path, ['spec', 'nodeAccess', 'cidrs', 0]);
  });
});

describe('intents: API-server egress', () => {
  const operators = { apiServer: { allowFrom: [{ podSelector: { matchLabels: { role: 'operator' } } }] } };

  it("allows the selected pods to the API server's endpoint addresses and ports under default-deny egress", () => {
    const out = render(profile('p', operators), ns('shop'), { apiServer: API });
    const [api] = byPurpose(out, 'allow-api-server');
    assert.equal(api!.metadata.name, 'seg.p.allow-api-server.0');
    assert.deepEqual(api!.spec, {
      podSelector: { matchLabels: { role: 'operator' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }, { ipBlock: { cidr: '10.0.0.2/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }],
    });
  });

  it('emits nothing with egress open (the API server is reachable already)', () => {
    const out = render(profile('p', { ...operators, defaultDeny: { ingress: true, egress: false } }), ns('shop'), { apiServer: API });
    assert.equal(byPurpose(out, 'allow-api-server').length, 0);
  });

  it('does not compile without the endpoints, saying where they come from', () => {
    const result = compileProfile(profile('p', operators));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.errors[0]! : '', /^spec\.apiServer\.allowFrom: .*kubernetes EndpointSlice/);
  });

  it('splits an API server that listens on a denied node port out of the node range (ports beside 22 kept)', () => {
    const out = render(profile('p', { ...operators, nodeAccess: { cidrs: ['10.0.0.0/24'], denyPorts: [{ port: 6443 }] } }), ns('shop'), { apiServer: API });
    assert.equal(byPurpose(out, 'allow-api-server')[0]!.spec.egress!.length, 0, 'denying 6443 on the nodes leaves nothing of the API-server allow');
  });
});

describe('intents: no silent no-ops (profileWarnings)', () => {
  it('warns about an ipBlock destination while egress is open, naming the rule, and is silent otherwise', () => {
    const rule = { name: 'ext', from: { podSelector: {} }, to: { ipBlock: { cidr: '203.0.113.0/24' } } };
    const warnings = profileWarnings(profile('p', { defaultDeny: { ingress: true, egress: false }, allow: [rule] }));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.rule, 'ext');
    assert.match(formatWarning(warnings[0]!), /^spec\.allow\[0\] \(rule "ext"\): has no effect: .*203\.0\.113\.0\/24/);
    assert.deepEqual(profileWarnings(profile('p', { allow: [rule] })), []);
  });

  it('warns about exceptions, API-server access and NodeLocal DNS that cannot take effect', () => {
    const paths = profileWarnings(
      profile('p', {
        defaultDeny: { ingress: true, egress: false },
        instanceMetadata: { deny: false, allowFrom: [{ podSelector: {} }] },
        apiServer: { allowFrom: [{ podSelector: {} }] },
        dns: { nodeLocalCIDRs: ['169.254.20.10/32'] },
      }),
    ).map((w) => w.path);
    assert.deepEqual(paths, ['spec.instanceMetadata.allowFrom', 'spec.apiServer.allowFrom', 'spec.dns.nodeLocalCIDRs']);
  });

  it('warns about named ports on an ipBlock destination', () => {
    const warnings = profileWarnings(profile('p', { allow: [{ name: 'ext', from: { podSelector: {} }, to: { ipBlock: { cidr: '203.0.113.0/24' } }, ports: [{ port: 'https' }] }] }));
    assert.deepEqual(warnings.map((w) => w.path), ['spec.allow[0].ports']);
  });

  it('does not warn about pod-to-pod rules with nothing default-denied: they isolate their destination', () => {
    assert.deepEqual(profileWarnings(profile('p', { defaultDeny: { ingress: false, egress: false }, allow: [{ name: 'r', from: { podSelector: {} }, to: { podSelector: { matchLabels: { app: 'api' } } } }] })), []);
  });
});

describe('intents: destination isolation never takes DNS down', () => {
  it('keeps 53 open on the DNS pods that a rule isolates in the DNS namespace with ingress open (only those pods)', () => {
    const p = profile('p', {
      includeSystemNamespaces: true,
      defaultDeny: { ingress: false, egress: false },
      allow: [
        { name: 'all', from: { podSelector: { matchLabels: { app: 'x' } } }, to: { podSelector: {} } },
        { name: 'other', from: { podSelector: {} }, to: { podSelector: { matchLabels: { 'k8s-app': 'metrics-server' } } } },
      ],
    });
    const kubeSystem = render(p, ns('kube-system'));
    const keep = kubeSystem.filter((x) => x.metadata.name.startsWith('seg.p.dns-server'));
    assert.deepEqual(names(keep), ['seg.p.dns-server.all'], 'a selector that contradicts the DNS labels isolates no DNS pod');
    assert.deepEqual(keep[0]!.spec.podSelector, { matchLabels: { 'k8s-app': 'kube-dns' } });
    assert.deepEqual(keep[0]!.spec.ingress![0]!.ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    assert.equal(keep[0]!.metadata.labels!['segmentation.dev/rule'], 'all');
    assert.equal(render(p, ns('shop')).some((x) => x.metadata.name.startsWith('seg.p.dns-server')), false);
  });
});
