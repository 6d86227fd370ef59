// The guardrail builders of each backend: the pitfalls of docs/guardrails.md as tables and properties.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { selectorMatches } from '../../../../src/compile/select.js';
import { resolveBackend } from '../../../../src/compile/guardrails/index.js';
import type { CiliumClusterwideNetworkPolicy } from '../../../../src/compile/guardrails/cilium.js';
import { CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX } from '../../../../src/compile/labels.js';
import { CNP_PRIORITIES, type ClusterNetworkPolicy } from '../../../../src/compile/guardrails/cluster-network-policy.js';
import { CALICO_TIER, calicoSelector, type GlobalNetworkPolicy } from '../../../../src/compile/guardrails/calico.js';
import { renderAllGuardrails } from '../../../../src/compile/guardrails/index.js';
import { MANAGED_BY_LABEL, PROFILE_LABEL } from '../../../../src/compile/labels.js';
import { profile } from '../helpers.js';
import { arbitraryGuardrailProfileInput, arbitraryNamespace } from '../arbitraries.js';
import { compileFor, compileInput } from './helpers.js';

const labelsArb = fc.dictionary(fc.constantFrom('app', 'team', 'tier', 'example.com/role'), fc.constantFrom('a', 'b', 'backend', 'database', 'prod', 'dev'), { maxKeys: 3 });

describe('guardrails: backend resolution', () => {
  const table: [Parameters<typeof resolveBackend>[0], Parameters<typeof resolveBackend>[1], string][] = [
    ['Auto', undefined, 'NetworkPolicy'],
    ['Auto', 'Cilium', 'Cilium'],
    ['Calico', undefined, 'Calico'],
    ['Calico', 'NetworkPolicy', 'NetworkPolicy'],
    ['Cilium', 'Auto', 'NetworkPolicy'],
  ];
  for (const [spec, override, expected] of table) it(`${spec} with override ${override ?? 'none'} renders for ${expected}`, () => assert.equal(resolveBackend(spec, override), expected));

  it('a caller that does not apply guardrails (today\'s operator) compiles for NetworkPolicy whatever the profile says', async () => {
    const { compileProfile } = await import('../../../../src/compile/render.js');
    const result = compileProfile(profile('p', { guardrails: { backend: 'Cilium' } }));
    assert.ok(result.ok);
    assert.equal(result.compiled.backend, 'NetworkPolicy');
    assert.deepEqual(result.compiled.guardrails, []);
  });
});

describe('guardrails: Cilium', () => {
  const p = profile('shop', {
    namespaceSelector: { matchLabels: { tier: 'apps' } },
    excludeNamespaces: ['legacy'],
    instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } } }] },
    nodeAccess: { cidrs: ['10.224.0.0/16'] },
  });
  const objects = compileFor(p, 'Cilium').guardrails as CiliumClusterwideNetworkPolicy[];

  it('emits a metadata deny and a node-port deny, labelled and named for the profile', () => {
    assert.deepEqual(objects.map((o) => o.metadata.name), ['seg.shop.deny-metadata', 'seg.shop.deny-node-ports']);
    for (const o of objects) {
      assert.equal(o.kind, 'CiliumClusterwideNetworkPolicy');
      assert.equal(o.metadata.labels[MANAGED_BY_LABEL], 'segmentation-operator');
      assert.equal(o.metadata.labels[PROFILE_LABEL], 'shop');
    }
  });

  it('blocks node SSH with the host and remote-node entities (CIDRs never match nodes on Cilium)', () => {
    const node = objects[1]!.spec.egressDeny[0]!;
    assert.deepEqual(node.toEntities, ['host', 'remote-node']);
    assert.deepEqual(node.toPorts, [{ ports: [{ port: '22', protocol: 'TCP' }] }]);
    assert.equal(node.toCIDR, undefined);
  });

  it('always sets enableDefaultDeny to false both ways (a deny-only policy would cut all traffic)', () => {
    fc.assert(
      fc.property(arbitraryGuardrailProfileInput('Cilium'), (input) => {
        const compiled = compileInput(input);
        if (!compiled) return;
        for (const o of compiled.guardrails as CiliumClusterwideNetworkPolicy[]) assert.deepEqual(o.spec.enableDefaultDeny, { egress: false, ingress: false });
      }),
      { numRuns: 200 },
    );
  });

  it('denies the metadata endpoint on every port exactly to the targeted pods that no exception selects (a port-scoped exception gets its own deny on the other ports)', () => {
    fc.assert(
      fc.property(arbitraryGuardrailProfileInput('Cilium'), arbitraryNamespace(), labelsArb, (input, ns, podLabels) => {
        const compiled = compileInput(input);
        if (!compiled || !compiled.profile.spec.instanceMetadata.deny) return;
        const endpoint: Record<string, string> = { ...podLabels, [CILIUM_NAMESPACE_LABEL]: ns.name };
        for (const [k, v] of Object.entries(ns.labels)) endpoint[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
        const deniedEveryPort = (compiled.guardrails as CiliumClusterwideNetworkPolicy[]).some(
          (o) => o.metadata.labels['segmentation.dev/purpose'] === 'deny-metadata' && o.spec.egressDeny.some((r) => r.toPorts === undefined) && selectorMatches(o.spec.endpointSelector, endpoint),
        );
        const targeted = selectorMatches(compiled.targetedNamespaces, ns.labels);
        const excepted = (compiled.profile.spec.instanceMetadata.allowFrom ?? []).some((e) => selectorMatches(e.podSelector, podLabels) && selectorMatches(e.namespaceSelector ?? {}, ns.labels));
        assert.equal(deniedEveryPort, targeted && !excepted);
      }),
      { numRuns: 400 },
    );
  });

  it('denies the ports a port-scoped exception does not list', () => {
    const scoped = profile('p', { instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } }, ports: [{ protocol: 'TCP', port: 80 }] }] } });
    const [others, agent] = compileFor(scoped, 'Cilium').guardrails as CiliumClusterwideNetworkPolicy[];
    assert.deepEqual(others!.spec.endpointSelector.matchExpressions!.at(-1), { key: 'app', operator: 'NotIn', values: ['agent'] });
    assert.deepEqual(agent!.spec.egressDeny[0]!.toPorts, [
      { ports: [{ port: '1', endPort: 79, protocol: 'TCP' }, { port: '81', endPort: 65535, protocol: 'TCP' }, { port: '0', protocol: 'UDP' }, { port: '0', protocol: 'SCTP' }] },
    ]);
  });

  it('rejects exceptions that would expand to too many policies, naming the field', async () => {
    const { compileProfile } = await import('../../../../src/compile/render.js');
    const five = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, 'x']));
    const many = profile('p', { guardrails: { backend: 'Cilium' }, instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: five } }, { podSelector: { matchLabels: five } }].map((e, i) => ({ podSelector: { matchLabels: Object.fromEntries(Object.entries(e.podSelector.matchLabels).map(([k, v]) => [`${k}${i}`, v])) } })) } });
    const result = compileProfile(many, {}, { guardrails: {} });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.errors[0]! : '', /^spec\.instanceMetadata\.allowFrom: .*more than 16 policies/);
  });
});

describe('guardrails: ClusterNetworkPolicy', () => {
  const p = profile('shop', {
    defaultDeny: { ingress: true, egress: true },
    guardrails: { backend: 'ClusterNetworkPolicy', defaultDenyTier: 'Baseline' },
    instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } }, ports: [{ port: 80 }, { protocol: 'UDP', port: 1000, endPort: 1010 }] }] },
    nodeAccess: { cidrs: ['10.224.0.0/16'], denyPorts: [{ port: 22 }, { protocol: 'UDP' }] },
  });
  const objects = compileFor(p).guardrails as ClusterNetworkPolicy[];
  const byName = new Map(objects.map((o) => [o.metadata.name, o]));

  it('has the exception (Pass) before the denies, in the Admin tier, and the default deny in Baseline', () => {
    assert.deepEqual([...byName.keys()].sort(), ['seg.shop.allow-metadata.0', 'seg.shop.deny-all', 'seg.shop.deny-metadata', 'seg.shop.deny-node-ports']);
    const pass = byName.get('seg.shop.allow-metadata.0')!;
    assert.equal(pass.spec.tier, 'Admin');
    assert.ok(pass.spec.priority < byName.get('seg.shop.deny-metadata')!.spec.priority);
    assert.deepEqual(pass.spec.egress![0]!.protocols, [{ tcp: { destinationPort: { number: 80 } } }, { udp: { destinationPort: { range: { start: 1000, end: 1010 } } } }]);
    assert.equal(byName.get('seg.shop.deny-all')!.spec.tier, 'Baseline');
  });

  it('denies node ports by network and protocol (a whole protocol is the range 1-65535: the CRD rejects `udp: {}`)', () => {
    const rule = byName.get('seg.shop.deny-node-ports')!.spec.egress![0]!;
    assert.deepEqual(rule.to, [{ networks: ['10.224.0.0/16'] }]);
    assert.deepEqual(rule.protocols, [{ tcp: { destinationPort: { number: 22 } } }, { udp: { destinationPort: { range: { start: 1, end: 65535 } } } }]);
    assert.equal(rule.action, 'Deny');
  });

  it('in every generated profile: one action per priority, every Pass before every Deny, every list within the API limit of 25', () => {
    fc.assert(
      fc.property(arbitraryGuardrailProfileInput('ClusterNetworkPolicy'), (input) => {
        const compiled = compileInput(input);
        if (!compiled) return;
        for (const o of compiled.guardrails as ClusterNetworkPolicy[]) {
          const rules = [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])];
          assert.ok(rules.length > 0 && rules.length <= 25);
          const expected = o.spec.tier === 'Baseline' ? CNP_PRIORITIES.baselineDefaultDeny : rules[0]!.action === 'Pass' ? CNP_PRIORITIES.exception : CNP_PRIORITIES.deny;
          assert.equal(o.spec.priority, expected);
          for (const r of rules) {
            assert.equal(r.action, rules[0]!.action);
            for (const peer of [...(r.to ?? []), ...(r.from ?? [])]) assert.ok((peer.networks ?? []).length <= 25);
            assert.ok((r.protocols ?? []).length <= 25 && (r.to ?? r.from ?? []).length <= 25);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('guardrails: Calico', () => {
  it('writes selectors in Calico syntax', () => {
    const table: [Parameters<typeof calicoSelector>[0], string][] = [
      [{}, 'all()'],
      [{ matchLabels: { app: 'a' } }, 'app == "a"'],
      [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'NotIn', values: ['c'] }] }, 'team in {"a", "b"} && x not in {"c"}'],
      [{ matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'DoesNotExist' }] }, 'has(a) && !has(b)'],
    ];
    for (const [sel, expected] of table) assert.equal(calicoSelector(sel), expected);
  });

  it('in every generated profile: own tier, types set, workloads only, one IP family and one protocol per rule', () => {
    fc.assert(
      fc.property(arbitraryGuardrailProfileInput('Calico'), (input) => {
        const compiled = compileInput(input);
        if (!compiled) return;
        for (const o of compiled.guardrails as GlobalNetworkPolicy[]) {
          assert.equal(o.spec.tier, CALICO_TIER);
          assert.ok(o.metadata.name.startsWith(`${CALICO_TIER}.`));
          assert.deepEqual(o.spec.types, ['Egress']);
          assert.ok(o.spec.namespaceSelector.startsWith('has(projectcalico.org/name)'));
          for (const r of o.spec.egress) assert.equal(new Set(r.destination.nets.map((n) => n.includes(':'))).size, 1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('adds the Tier (defaultAction Pass) once, first, when any profile has Calico guardrails', () => {
    const a = compileFor(profile('a'), 'Calico');
    const b = compileFor(profile('b'), 'Calico');
    const all = renderAllGuardrails([a, b]);
    assert.equal(all[0]!.kind, 'Tier');
    assert.deepEqual(all[0]!.spec, { order: 100, defaultAction: 'Pass' });
    assert.equal(all.filter((o) => o.kind === 'Tier').length, 1);
    assert.deepEqual(renderAllGuardrails([compileFor(profile('c'), 'Cilium')]).filter((o) => o.kind === 'Tier'), []);
  });
});

describe('guardrails: determinism', () => {
  for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) {
    it(`${backend}: the same profile gives byte-identical objects`, () => {
      fc.assert(
        fc.property(arbitraryGuardrailProfileInput(backend), (input) => {
          const a = compileInput(input);
          const b = compileInput(structuredClone(input));
          assert.equal(JSON.stringify(a?.guardrails), JSON.stringify(b?.guardrails));
        }),
        { numRuns: 100 },
      );
    });
  }
});
