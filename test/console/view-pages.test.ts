// Pure view logic behind the overview, namespace and explain pages: coverage, diff, matrix, routes,
// pagination and the GitOps owner check.
import assert from 'node:assert/strict';
import { render } from '../../src/compile/render.js';
import { segmentationProfileSchema } from '../../src/api/profile.js';
import { modelFor } from '../../src/console/view/cluster-subset.js';
import { explainQuery, namespacesOf, queryFromParams, queryToHash } from '../../src/console/view/explain.js';
import { gitOpsOwner } from '../../src/console/view/gitops.js';
import { namespaceMatrix, workloadsOf } from '../../src/console/view/matrix.js';
import { matchesFilter, paginate } from '../../src/console/view/paginate.js';
import { diffPolicies, lineDiff } from '../../src/console/view/policy-diff.js';
import { checkProfiles, matchedNamespaces, targetingOf, uncoveredNamespaces } from '../../src/console/view/profiles.js';
import { parseRoute, routeHash } from '../../src/console/view/route.js';
import { ns, pod, policy, profileDoc, profileEntry } from './fixtures.js';

const SPEC = {
  namespaceSelector: { matchLabels: { tier: 'apps' } },
  allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ protocol: 'TCP', port: 5432 }] }],
};
const namespaces = [ns('shop', { tier: 'apps' }), ns('legacy', { tier: 'apps', 'segmentation.dev/ignore': 'true' }), ns('tools'), ns('kube-system')];

describe('console view: coverage', () => {
  const profiles = checkProfiles([profileEntry('baseline', SPEC), profileEntry('broken', { allow: [{ name: 'x' }] })]);

  it('matches namespaces as the operator does (opt-out label, system namespaces)', () => {
    assert.deepEqual(matchedNamespaces(profiles[0]!.check.profile!, namespaces).map((n) => n.name), ['shop']);
  });

  it('says why a profile does not target a namespace', () => {
    const t = targetingOf(namespaces[1]!, profiles);
    assert.deepEqual(t, [{ profile: 'baseline', mode: 'Enforce', targeted: false, reason: 'namespace is labelled segmentation.dev/ignore=true' }]);
  });

  it('lists the namespaces no valid Enforce profile covers; an invalid profile covers nothing', () => {
    assert.deepEqual(uncoveredNamespaces(namespaces, profiles).map((n) => n.name), ['legacy', 'tools', 'kube-system']);
    assert.ok(profiles[1]!.check.all.length > 0);
  });
});

/** The API server's defaulting: protocol TCP on every port, policyTypes always set. */
function withDefaults(spec: object): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  for (const dir of ['ingress', 'egress']) for (const rule of (copy[dir] as Array<{ ports?: Array<{ protocol?: string }> }>) ?? []) for (const port of rule.ports ?? []) port.protocol ??= 'TCP';
  return copy;
}

describe('console view: policy diff against the cluster', () => {
  const profile = segmentationProfileSchema.parse(profileDoc('baseline', SPEC));
  const rendered = render(profile, { name: 'shop', labels: { tier: 'apps', 'kubernetes.io/metadata.name': 'shop' } });
  // What the API server returns: defaults filled in (policyTypes, protocol), our metadata kept.
  const asStored = rendered.map((p) => ({ metadata: { namespace: p.metadata.namespace, name: p.metadata.name, labels: { ...p.metadata.labels }, annotations: { ...p.metadata.annotations } }, spec: withDefaults(p.spec) }));

  it('sees no difference once the API server has stored the same policies', () => {
    assert.deepEqual(diffPolicies(rendered, asStored).map((c) => c.kind), rendered.map(() => 'unchanged'));
  });

  it('shows a changed port as removed and added lines', () => {
    const edited = segmentationProfileSchema.parse(profileDoc('baseline', { ...SPEC, allow: [{ ...SPEC.allow[0], ports: [{ protocol: 'TCP', port: 5433 }] }] }));
    const changes = diffPolicies(render(edited, { name: 'shop', labels: { tier: 'apps' } }), asStored);
    const ingress = changes.find((c) => c.name === 'seg.baseline.allow.backend-to-database.ingress')!;
    assert.equal(ingress.kind, 'changed');
    assert.ok(ingress.lines.some((l) => l.op === '-' && /port: 5432/.test(l.text)));
    assert.ok(ingress.lines.some((l) => l.op === '+' && /port: 5433/.test(l.text)));
  });

  it('diffs lines: kept, removed and added, in order', () => {
    const ops = (a: string, b: string) => lineDiff(a, b).map((l) => `${l.op}${l.text}`);
    assert.deepEqual(ops('a\nb\nc\n', 'a\nx\nc\n'), [' a', '-b', '+x', ' c']);
    assert.deepEqual(ops('', 'a\nb\n'), ['+a', '+b']);
    assert.deepEqual(ops('a\nb\n', ''), ['-a', '-b']);
    assert.deepEqual(ops('a\nb\nc\nd\n', 'a\nc\nd\ne\n'), [' a', '-b', ' c', ' d', '+e']);
  });

  it('marks policies only in the cluster as removed and only rendered as added', () => {
    const changes = diffPolicies(rendered.slice(1), asStored.slice(0, 1).concat([]));
    assert.equal(changes.find((c) => c.name === rendered[0]!.metadata.name)?.kind, 'removed');
    assert.equal(changes.find((c) => c.name === rendered[1]!.metadata.name)?.kind, 'added');
  });
});

describe('console view: matrix and explain', () => {
  const data = {
    namespaces: [ns('shop', { tier: 'apps' })],
    pods: [pod('shop', 'backend-1', { app: 'backend', 'pod-template-hash': 'a1' }, '10.0.0.1'), pod('shop', 'backend-2', { app: 'backend', 'pod-template-hash': 'b2' }, '10.0.0.2'), pod('shop', 'database-0', { app: 'database' }, '10.0.0.3', [5432])],
    policies: [
      policy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('shop', 'db-in', { podSelector: { matchLabels: { app: 'database' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
      policy('shop', 'backend-out', { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
      policy('other', 'ignored', { podSelector: {} }),
    ],
  };

  it('keeps only the policies of the namespaces asked for', () => {
    assert.deepEqual(modelFor(data, ['shop']).policies.map((p) => p.metadata?.name), ['deny-all', 'db-in', 'backend-out']);
  });

  it('groups pods of one workload (rollout hash labels ignored)', () => {
    assert.deepEqual(workloadsOf(modelFor(data, ['shop']), 'shop').map((w) => [w.label, w.pods.length]), [['app=backend', 2], ['app=database', 1]]);
  });

  it('evaluates each cell and links it to the explain query', () => {
    const m = namespaceMatrix(modelFor(data, ['shop']), 'shop', { port: 5432, protocol: 'TCP' });
    const col = m.columns.findIndex((c) => c.label === 'app=database');
    assert.equal(m.cells[0]![col]!.verdict, 'allowed');
    assert.deepEqual(m.cells[0]![col]!.query, { from: 'shop/backend-1', to: 'shop/database-0', port: '5432/TCP' });
    const back = m.cells[1]![0]!;
    assert.equal(back.verdict, 'denied');
    assert.deepEqual(back.deniedBy, ['egress', 'ingress']);
    assert.ok(m.columns.some((c) => c.kind === 'metadata') && m.columns.some((c) => c.kind === 'dns'));
  });

  it('explains a blocked flow with the side that blocks it', () => {
    const q = { from: 'shop/database-0', to: 'shop/app=backend', port: '8080' };
    const a = explainQuery(modelFor(data, namespacesOf(q)), q);
    assert.ok(a.ok);
    assert.equal(a.explanation.allowed, false);
    assert.equal(a.explanation.egress.status, 'denied');
  });

  it('names the field of a bad query', () => {
    const a = explainQuery(modelFor(data, ['shop']), { from: 'shop/nope', to: 'shop/database-0', port: '5432' });
    assert.ok(!a.ok && a.field === 'from' && /not found/.test(a.error));
    const b = explainQuery(modelFor(data, ['shop']), { from: 'shop/backend-1', to: 'shop/database-0', port: '99999' });
    assert.ok(!b.ok && b.field === 'port');
  });

  it('round-trips the query through the URL', () => {
    const q = { from: 'shop/app=web,tier=x', to: '169.254.169.254', port: '80/TCP' };
    assert.deepEqual(queryFromParams(parseRoute(queryToHash(q)).params), q);
  });
});

describe('console view: routes, pages, GitOps owner', () => {
  it('parses and builds hash routes', () => {
    const r = parseRoute(routeHash(['namespace', 'a b'], { port: '53' }));
    assert.deepEqual(r.segments, ['namespace', 'a b']);
    assert.equal(r.params.get('port'), '53');
    assert.deepEqual(parseRoute('').segments, []);
  });

  it('pages 2,000 items 50 at a time and clamps the page', () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const last = paginate(items, 99, 50);
    assert.deepEqual([last.page, last.pages, last.items.length, last.items[0]], [39, 40, 50, 1950]);
    assert.equal(paginate([], 3, 50).pages, 1);
  });

  it('filters on every word', () => {
    assert.ok(matchesFilter('shop tier=apps', ['shop-1', 'tier=apps']));
    assert.ok(!matchesFilter('shop tier=db', ['shop-1', 'tier=apps']));
  });

  it('recognises Argo CD and Flux owners, and nothing on a plain profile', () => {
    assert.equal(gitOpsOwner({ annotations: { 'argocd.argoproj.io/tracking-id': 'app:x' } })?.tool, 'Argo CD');
    assert.equal(gitOpsOwner({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'profiles' } })?.tool, 'Flux');
    assert.equal(gitOpsOwner({ managers: ['kustomize-controller'] })?.tool, 'Flux');
    assert.equal(gitOpsOwner({ managers: ['kubectl-client-side-apply', 'segmentation-console'] }), undefined);
  });
});

describe('console view: connectivity diagram', () => {
  it('draws each workload and well-known destination once, and an arrow per allowed flow', async () => {
    const { diagramOf } = await import('../../src/console/view/diagram.js');
    const data = {
      namespaces: [ns('shop')],
      pods: [pod('shop', 'backend-1', { app: 'backend' }, '10.0.0.1'), pod('shop', 'database-0', { app: 'database' }, '10.0.0.3', [5432])],
      policies: [
        policy('shop', 'db-in', { podSelector: { matchLabels: { app: 'database' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
        policy('shop', 'backend-out', { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }] }),
      ],
    };
    const view = namespaceMatrix(modelFor(data, ['shop']), 'shop', { port: 5432, protocol: 'TCP' });
    const d = diagramOf(view, 600, 400);
    assert.deepEqual(d.nodes.map((n) => n.label), ['app=backend', 'app=database', 'dns udp/53', 'dns tcp/53', 'metadata 169.254.169.254:80', 'external 203.0.113.10:443']);
    const label = (i: number) => d.nodes[i]!.label;
    const edges = d.edges.map((e) => `${label(e.from)} -> ${label(e.to)}`);
    assert.ok(edges.includes('app=backend -> app=database'));
    assert.ok(edges.includes('app=database -> app=backend'), 'database egress and backend ingress are not isolated');
    assert.ok(!edges.includes('app=backend -> metadata 169.254.169.254:80'), 'backend egress only reaches the database');
    assert.ok(edges.includes('app=database -> metadata 169.254.169.254:80'));
    assert.ok(d.edges.every((e) => e.from !== e.to));
    assert.ok(d.nodes.every((n) => n.x >= 0 && n.x <= 600 && n.y >= 0 && n.y <= 400));
  });
});
