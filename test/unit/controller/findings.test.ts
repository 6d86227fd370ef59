import assert from 'node:assert/strict';
import { auditMetadataExposure } from '../../../src/analysis/audit-metadata.js';
import { detectEnforcement } from '../../../src/analysis/enforcement.js';
import type { ClusterFindings } from '../../../src/controller/findings.js';
import { ENGINE_CONDITION, findingConditions, METADATA_CONDITION, NODES_CONDITION } from '../../../src/controller/findings.js';
import { render } from '../../../src/compile/render.js';
import { ns, profile } from '../compile/helpers.js';

const NOW = '2026-11-23T00:00:00Z';
const LATER = '2026-11-23T01:00:00Z';
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
const calico = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'calico-system' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.29.0' }] } } }, status: { desiredNumberScheduled: 1, numberReady: 1 } };

const baseline = profile('baseline');
const ours = [...render(baseline, ns('shop')), ...render(baseline, ns('web'))];
const userOpensInternet = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'internet', namespace: 'web' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
};

function findings(policies: unknown[], daemonSets: unknown[] = [calico]): ClusterFindings {
  return {
    enforcement: detectEnforcement({ daemonSets: daemonSets as never, nodes: [] }),
    exposure: auditMetadataExposure(policies as never, [namespace('shop'), namespace('web'), namespace('other')] as never),
  };
}

const input = (f: ClusterFindings | undefined, previous?: ReturnType<typeof findingConditions>, now = NOW) => ({
  findings: f,
  metadata: { deny: true, cidrs: baseline.spec.instanceMetadata.cidrs },
  targeted: new Set(['shop', 'web']),
  generation: 3,
  previous,
  now,
});

const get = (conditions: ReturnType<typeof findingConditions>, type: string) => conditions.find((c) => c.type === type);

describe('profile finding conditions', () => {
  it('reports nothing before the first scan', () => {
    assert.deepEqual(findingConditions(input(undefined)), []);
  });

  it('says an engine enforces policies and the metadata endpoint is blocked by our own policies', () => {
    const out = findingConditions(input(findings(ours)));
    assert.equal(get(out, ENGINE_CONDITION)?.status, 'True');
    assert.match(get(out, ENGINE_CONDITION)!.message, /Calico/);
    assert.equal(get(out, METADATA_CONDITION)?.status, 'True');
    assert.equal(get(out, METADATA_CONDITION)?.observedGeneration, 3);
  });

  it('counts our allow-all-but-metadata policy (egress open) as blocking, IPv4 and IPv6', () => {
    const open = profile('open', { defaultDeny: { ingress: false, egress: false } });
    const policies = [...render(open, ns('shop')), ...render(open, ns('web'))];
    assert.equal(get(findingConditions(input(findings(policies))), METADATA_CONDITION)?.status, 'True');
  });

  it('says clearly when no engine enforces anything', () => {
    const c = get(findingConditions(input(findings(ours, []))), ENGINE_CONDITION)!;
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'NoEngineFound');
    // The finding's own sentence, said once (not wrapped in a second one that repeats it).
    assert.match(c.message, /^no NetworkPolicy engine found: NetworkPolicies are stored but NOT enforced \(checked \d+ DaemonSets, \d+ nodes\)$/);
  });

  it("names a user's policy that reopens the metadata endpoint in a targeted namespace", () => {
    const c = get(findingConditions(input(findings([...ours, userOpensInternet]))), METADATA_CONDITION)!;
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'Reopened');
    assert.match(c.message, /web: web\/internet egress\[0\] opens 169\.254\.169\.254\/32 via ipBlock 0\.0\.0\.0\/0/);
    assert.doesNotMatch(c.message, /shop:/);
  });

  it('ignores namespaces the profile does not target', () => {
    const elsewhere = { ...userOpensInternet, metadata: { name: 'internet', namespace: 'other' } };
    assert.equal(get(findingConditions(input(findings([...ours, elsewhere]))), METADATA_CONDITION)?.status, 'True');
  });

  it('reports a targeted namespace with no egress policy at all (e.g. in DryRun) as exposed', () => {
    const onlyShop = render(baseline, ns('shop'));
    const c = get(findingConditions(input(findings(onlyShop))), METADATA_CONDITION)!;
    assert.equal(c.status, 'False');
    assert.match(c.message, /^1 targeted namespace\(s\).*web: /);
  });

  it('has no metadata condition when the profile does not deny the endpoint', () => {
    const out = findingConditions({ ...input(findings(ours)), metadata: { deny: false, cidrs: [] } });
    assert.equal(get(out, METADATA_CONDITION), undefined);
    assert.ok(get(out, ENGINE_CONDITION));
  });

  it('keeps lastTransitionTime while the status holds and moves it on a change', () => {
    const first = findingConditions(input(findings(ours)));
    const same = findingConditions(input(findings(ours), first, LATER));
    assert.equal(get(same, METADATA_CONDITION)!.lastTransitionTime, NOW);
    const changed = findingConditions(input(findings([...ours, userOpensInternet]), first, LATER));
    assert.equal(get(changed, METADATA_CONDITION)!.lastTransitionTime, LATER);
  });

  it('reports Unknown with the reason when a check could not run', () => {
    const out = findingConditions(input({ enforcementError: 'daemonsets is forbidden', exposureError: 'networkpolicies list failed' }));
    assert.deepEqual(
      out.map((c) => [c.type, c.status, c.reason]),
      [
        [ENGINE_CONDITION, 'Unknown', 'CheckFailed'],
        [METADATA_CONDITION, 'Unknown', 'CheckFailed'],
      ],
    );
  });

  describe('intended metadata exceptions (spec.instanceMetadata.allowFrom)', () => {
    const withExceptions = (spec: Parameters<typeof profile>[1]) => {
      const p = profile('baseline', spec);
      return [...render(p, ns('shop')), ...render(p, ns('web'))];
    };
    const agent = { podSelector: { matchLabels: { app: 'agent' } } };
    const cases: [string, Parameters<typeof profile>[1], unknown[], { status: string; message: RegExp; not?: RegExp }][] = [
      [
        'egress denied: the exception keeps the condition True and is named with its pods',
        { instanceMetadata: { allowFrom: [agent] } },
        [],
        { status: 'True', message: /^no NetworkPolicy reopens .*; intended exceptions \(spec\.instanceMetadata\.allowFrom\): shop\/seg\.baseline\.allow-metadata\.0 \(pods app=agent\) \| web\/seg\.baseline\.allow-metadata\.0 \(pods app=agent\)$/ },
      ],
      [
        'egress open: the same',
        { defaultDeny: { ingress: true, egress: false }, instanceMetadata: { allowFrom: [agent] } },
        [],
        { status: 'True', message: /intended exceptions .*shop\/seg\.baseline\.allow-metadata\.0 \(pods app=agent\)/ },
      ],
      [
        'ports of the exception are named',
        { instanceMetadata: { allowFrom: [{ ...agent, ports: [{ protocol: 'TCP', port: 80 }] }] } },
        [],
        { status: 'True', message: /\(pods app=agent on 80\/TCP\)/ },
      ],
      [
        "only in the namespaces the exception's namespaceSelector matches",
        { instanceMetadata: { allowFrom: [{ ...agent, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }] } },
        [],
        { status: 'True', message: /exceptions .*: web\/seg\.baseline\.allow-metadata\.0 \(pods app=agent\)$/, not: /shop\/seg\.baseline\.allow-metadata/ },
      ],
      [
        "an unintended reopening still turns it False, and the exception is named apart",
        { instanceMetadata: { allowFrom: [agent] } },
        [userOpensInternet],
        { status: 'False', message: /^1 targeted namespace\(s\) can reach the metadata endpoint: web: web\/internet egress\[0\] opens .*; intended exceptions .*: shop\/seg\.baseline\.allow-metadata\.0/, not: /web: .*allow-metadata.* opens/ },
      ],
      [
        "a user's policy that merely looks like one (no managed-by label) is not an exception",
        {},
        [{ ...userOpensInternet, metadata: { name: 'seg.baseline.allow-metadata.0', namespace: 'web', labels: { 'segmentation.dev/purpose': 'allow-metadata' } } }],
        { status: 'False', message: /web: web\/seg\.baseline\.allow-metadata\.0 egress\[0\] opens/, not: /intended exceptions/ },
      ],
    ];
    for (const [what, spec, extra, want] of cases)
      it(what, () => {
        const c = get(findingConditions(input(findings([...withExceptions(spec), ...extra]))), METADATA_CONDITION)!;
        assert.equal(c.status, want.status);
        assert.match(c.message, want.message);
        if (want.not) assert.doesNotMatch(c.message, want.not);
      });
  });

  describe('NodeAccessCovered', () => {
    const nodes = (...list: [string, ...string[]][]) => ({ ...findings(ours), nodes: list.map(([name, ...addresses]) => ({ name, addresses })) });
    const withNodes = (f: ClusterFindings, nodeCidrs?: string[], previous?: ReturnType<typeof findingConditions>, now = NOW) => get(findingConditions({ ...input(f, previous, now), nodeCidrs }), NODES_CONDITION);

    it('is absent on a profile without spec.nodeAccess', () => {
      assert.equal(withNodes(nodes(['n1', '10.9.0.4'])), undefined);
    });

    it('is True when every node address is inside the ranges', () => {
      const c = withNodes(nodes(['n1', '10.224.0.4'], ['n2', '10.224.0.5', '10.224.9.9']), ['10.224.0.0/16'])!;
      assert.deepEqual([c.status, c.reason], ['True', 'NodesCovered']);
      assert.match(c.message, /inside spec\.nodeAccess\.cidrs \(10\.224\.0\.0\/16\)/);
    });

    it('lists uncovered nodes with their addresses, at most 5', () => {
      const c = withNodes(nodes(['n1', '10.224.0.4'], ['n2', '10.9.0.4', '203.0.113.5']), ['10.224.0.0/16'])!;
      assert.deepEqual([c.status, c.reason], ['False', 'NodesNotCovered']);
      assert.match(c.message, /^1 Node\(s\) have addresses outside spec\.nodeAccess\.cidrs, .*: n2 \(10\.9\.0\.4, 203\.0\.113\.5\)$/);
      const many = withNodes(nodes(...Array.from({ length: 7 }, (_, i): [string, string] => [`n${i}`, `10.9.0.${i}`])), ['10.224.0.0/16'])!;
      assert.match(many.message, /^7 Node\(s\).*n0 \(10\.9\.0\.0\), n1 .*n4 \(10\.9\.0\.4\), \.\.\.$/);
      assert.doesNotMatch(many.message, /n5/);
    });

    it('keeps lastTransitionTime while uncovered nodes stay the same', () => {
      const f = nodes(['n2', '10.9.0.4']);
      const first = findingConditions({ ...input(f), nodeCidrs: ['10.224.0.0/16'] });
      assert.equal(withNodes(f, ['10.224.0.0/16'], first, LATER)!.lastTransitionTime, NOW);
    });

    it('reports Unknown when the nodes could not be listed', () => {
      const c = withNodes({ nodesError: 'listing DaemonSets and Nodes failed: forbidden' }, ['10.224.0.0/16'])!;
      assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'CheckFailed', 'listing DaemonSets and Nodes failed: forbidden']);
    });
  });
});
