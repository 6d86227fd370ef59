// Metadata-exposure audit: which namespaces can reach a metadata endpoint, and who opened it.
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditMetadataExposure, KNOWN_METADATA_CIDRS, isIntendedException } from '../../../src/analysis/audit-metadata.js';
import type { PolicyObject } from '../../../src/api/networkpolicy.js';
import { DEFAULT_METADATA_CIDRS, type SegmentationProfileInput } from '../../../src/api/profile.js';
import { render } from '../../../src/compile/render.js';
import { ns as nsInfo, profile } from '../compile/helpers.js';
import { namespace, policy } from './fixtures/xyz-cluster.js';
import { runCli } from './fixtures/run-cli.js';

const denyEgress = (ns: string) => policy(ns, 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
const allowInternet = (ns: string, except: string[]) =>
  policy(ns, 'internet', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except } }], ports: [{ port: 443 }] }] });
const podIn = (ns: string, name: string, labels: Record<string, string>, hostNetwork = false): V1Pod => ({ metadata: { namespace: ns, name, labels }, spec: { containers: [], hostNetwork } });

describe('auditMetadataExposure', () => {
  it('defaults to the AWS/Azure/GCP, AWS IPv6 and Alibaba endpoints', () => {
    assert.deepEqual(auditMetadataExposure([], []).metadataCidrs, [...KNOWN_METADATA_CIDRS]);
  });

  it('knows every endpoint a profile blocks by default, and Alibaba Cloud, which a profile blocks only when listed', () => {
    for (const cidr of DEFAULT_METADATA_CIDRS) assert.ok(KNOWN_METADATA_CIDRS.includes(cidr), cidr);
    assert.ok(KNOWN_METADATA_CIDRS.includes('100.100.100.200/32'));
    assert.ok(!DEFAULT_METADATA_CIDRS.includes('100.100.100.200/32'));
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

describe('auditMetadataExposure: intended exceptions (spec.instanceMetadata.allowFrom)', () => {
  const agent = { podSelector: { matchLabels: { app: 'agent' } } };
  const rendered = (spec: SegmentationProfileInput['spec']) => render(profile('base', spec), nsInfo('x'));
  const pods = [podIn('x', 'agent-1', { app: 'agent' }), podIn('x', 'web-1', { app: 'web' })];
  type Want = { exposed: boolean; openedBy: string[]; exceptions: string[] | undefined };
  const summary = (report: ReturnType<typeof auditMetadataExposure>): Want => {
    const n = report.namespaces[0]!;
    const line = (o: { policy: string; cidr: string; podSelector: string; pods?: string[] }) => `${o.policy} ${o.cidr} ${o.podSelector}${o.pods ? ` [${o.pods.join(',')}]` : ''}`;
    return { exposed: n.exposed, openedBy: n.openedBy.map(line), exceptions: n.exceptions?.map(line) };
  };
  const exceptionLines = (pods?: string) => profile('base').spec.instanceMetadata.cidrs.map((c) => `x/seg.base.allow-metadata.0 ${c} app=agent${pods ?? ''}`);
  const cases: [string, PolicyObject[], V1Pod[] | undefined, Want][] = [
    ['egress denied + exception, no pods: not exposed, the exception listed', rendered({ instanceMetadata: { allowFrom: [agent] } }), undefined, { exposed: false, openedBy: [], exceptions: exceptionLines() }],
    ['egress open + exception, no pods: the same', rendered({ defaultDeny: { ingress: true, egress: false }, instanceMetadata: { allowFrom: [agent] } }), undefined, { exposed: false, openedBy: [], exceptions: exceptionLines() }],
    ['with pods: the exception names the pods it lets through', rendered({ instanceMetadata: { allowFrom: [agent] } }), pods, { exposed: false, openedBy: [], exceptions: exceptionLines(' [x/agent-1]') }],
    ['no exception: no exceptions field', rendered({}), undefined, { exposed: false, openedBy: [], exceptions: undefined }],
    [
      "an exception and a user's reopening: only the latter exposes",
      [...rendered({ instanceMetadata: { allowFrom: [agent] } }), allowInternet('x', [])],
      pods,
      { exposed: true, openedBy: ['x/internet 169.254.169.254/32 app=web [x/web-1]'], exceptions: exceptionLines(' [x/agent-1]') },
    ],
    [
      'the purpose label without our managed-by label is not an exception',
      [denyEgress('x'), { ...allowInternet('x', []), metadata: { namespace: 'x', name: 'internet', labels: { 'segmentation.dev/purpose': 'allow-metadata' } } }],
      undefined,
      { exposed: true, openedBy: ['x/internet 169.254.169.254/32 app=web'], exceptions: undefined },
    ],
  ];
  // The profile's own metadata CIDRs (the audit's default list adds Alibaba's, which the profile's default does not block).
  const metadataCidrs = profile('base').spec.instanceMetadata.cidrs;
  for (const [what, policies, podList, want] of cases) it(what, () => assert.deepEqual(summary(auditMetadataExposure(policies, [namespace('x')], podList, { metadataCidrs })), want));

  it('recognises exceptions by both labels', () => {
    const [p] = rendered({ instanceMetadata: { allowFrom: [agent] } }).filter((x) => x.metadata.name === 'seg.base.allow-metadata.0');
    assert.ok(p && isIntendedException(p));
    assert.equal(isIntendedException({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, 'app.kubernetes.io/managed-by': 'someone-else' } } }), false);
    assert.equal(isIntendedException(denyEgress('x')), false);
  });
});

describe('segmentation audit: exceptions and exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-exceptions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, objects: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    return path;
  };
  const agent = { podSelector: { matchLabels: { app: 'agent' } } };
  const shop = render(profile('base', { instanceMetadata: { allowFrom: [agent] } }), nsInfo('shop'));
  const pods = file('pods.yaml', [podIn('shop', 'agent-1', { app: 'agent' }), podIn('shop', 'web-1', { app: 'web' })]);

  it('exceptions alone: exit 0, printed apart with their pods', async () => {
    const run = await runCli(['audit', '--policies', file('exceptions.yaml', shop), '--pods', pods]);
    assert.equal(run.error, undefined);
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /^shop: ok \(intended exceptions only\)$/m);
    assert.match(run.stdout, /^ {2}exception \(spec\.instanceMetadata\.allowFrom\): shop\/seg\.base\.allow-metadata\.0 egress\[0\] opens 169\.254\.169\.254\/32 via ipBlock 169\.254\.169\.254\/32 \(to\[0\]\) on all ports for pods app=agent \[pods: shop\/agent-1\]$/m);
    assert.match(run.stdout, /^0 of 1 namespace\(s\) exposed; 1 with intended exceptions$/m);
  });

  it('exceptions plus an unintended reopening: exit 2, both printed, the reopening not as an exception', async () => {
    const run = await runCli(['audit', '--policies', file('both.yaml', [...shop, allowInternet('shop', [])]), '--pods', pods]);
    assert.equal(run.exitCode, 2);
    assert.match(run.stdout, /^shop: EXPOSED$/m);
    assert.match(run.stdout, /^ {2}shop\/internet egress\[0\] opens 169\.254\.169\.254\/32 .* \[pods: shop\/web-1\]$/m);
    assert.match(run.stdout, /^ {2}exception \(spec\.instanceMetadata\.allowFrom\): shop\/seg\.base\.allow-metadata\.0 /m);
    assert.doesNotMatch(run.stdout, /exception .*shop\/internet/);
  });

  it('JSON keeps exceptions apart from openedBy', async () => {
    const run = await runCli(['audit', '--policies', file('json.yaml', shop), '-o', 'json']);
    assert.equal(run.exitCode, 0);
    const out = JSON.parse(run.stdout) as { exposed: boolean; namespaces: { openedBy: unknown[]; exceptions: { policy: string }[] }[] };
    assert.equal(out.exposed, false);
    assert.deepEqual(out.namespaces[0]!.openedBy, []);
    assert.deepEqual([...new Set(out.namespaces[0]!.exceptions.map((e) => e.policy))], ['shop/seg.base.allow-metadata.0']);
  });
});
