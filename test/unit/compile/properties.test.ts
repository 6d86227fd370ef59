// Properties of the compiler over generated profiles and namespaces (fast-check).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrOverlaps, parseCidr } from '../../../src/api/cidr.js';
import type { NetworkPolicy, NetworkPolicyPort } from '../../../src/api/networkpolicy.js';
import type { SegmentationProfile } from '../../../src/api/profile.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import { isValidSubdomainName } from '../../../src/compile/names.js';
import { compileProfile, renderNamespace } from '../../../src/compile/render.js';
import { toYamlDocuments } from '../../../src/cli/output.js';
import { selectorMatches } from '../../../src/compile/select.js';
import { ARBITRARY_FACTS, arbitraryNamespace, arbitraryProfileInput } from './arbitraries.js';

function compiled(input: unknown) {
  const profile: SegmentationProfile = segmentationProfileSchema.parse(input);
  const result = compileProfile(profile, ARBITRARY_FACTS);
  return { profile, result };
}

function ipBlocks(p: NetworkPolicy) {
  return [...(p.spec.egress ?? []).flatMap((r) => r.to ?? []), ...(p.spec.ingress ?? []).flatMap((r) => r.from ?? [])].flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
}

/** Does a rule's port list admit (protocol, port)? Written from the NetworkPolicy docs, not src/compile/ports.ts. */
function portAdmits(ports: NetworkPolicyPort[] | undefined, protocol: string, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || (typeof p.port === 'number' && p.port <= port && port <= (p.endPort ?? p.port))));
}

/** A few (protocol, port) samples of each denied entry: its ends and middle, or the whole range's. */
function deniedSamples(denied: readonly { protocol: string; port?: number | string | undefined; endPort?: number | undefined }[]): [string, number][] {
  return denied.flatMap((d) => {
    const lo = typeof d.port === 'number' ? d.port : 1;
    const hi = typeof d.port === 'number' ? (d.endPort ?? d.port) : 65535;
    return [lo, Math.floor((lo + hi) / 2), hi].map((n): [string, number] => [d.protocol, n]);
  });
}

/** True when some address of `cidr` minus `except` lies inside `meta`. */
function admits(block: { cidr: string; except?: string[] }, meta: string): boolean {
  const c = parseCidr(block.cidr)!;
  const m = parseCidr(meta)!;
  if (!cidrOverlaps(c, m)) return false;
  // meta is inside c (c cannot be inside meta: the compiler refuses that); it is admitted unless an except covers it.
  return !(block.except ?? []).some((e) => {
    const ex = parseCidr(e)!;
    return ex.family === m.family && ex.prefix <= m.prefix && cidrOverlaps(ex, m);
  });
}

/** True when the whole of `cidr` lies inside `outer`. */
function cidrInside(cidr: string, outer: string): boolean {
  const c = parseCidr(cidr)!;
  const o = parseCidr(outer)!;
  return c.family === o.family && c.prefix >= o.prefix && cidrOverlaps(c, o);
}

const runs = { numRuns: 300 };

describe('render: properties', () => {
  it('is deterministic: the same input gives byte-identical output', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const a = compiled(input);
        const b = compiled(structuredClone(input));
        if (!a.result.ok || !b.result.ok) return;
        assert.equal(toYamlDocuments(renderNamespace(a.result.compiled, ns)), toYamlDocuments(renderNamespace(b.result.compiled, structuredClone(ns))));
      }),
      runs,
    );
  });

  it('emits valid, unique names with our ownership labels', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const { profile, result } = compiled(input);
        if (!result.ok) return;
        const out = renderNamespace(result.compiled, ns);
        const names = out.map((p) => p.metadata.name);
        assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(', ')}`);
        for (const p of out) {
          assert.ok(isValidSubdomainName(p.metadata.name), p.metadata.name);
          assert.equal(p.metadata.namespace, ns.name);
          assert.equal(p.metadata.labels?.['app.kubernetes.io/managed-by'], 'segmentation-operator');
          assert.equal(p.metadata.labels?.['segmentation.dev/profile'], profile.metadata.name);
        }
      }),
      runs,
    );
  });

  it('never emits an invalid except, nor an egress ipBlock that admits a blocked metadata address outside the allowFrom exceptions', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const { profile, result } = compiled(input);
        if (!result.ok) return;
        for (const p of renderNamespace(result.compiled, ns)) {
          for (const block of ipBlocks(p)) {
            const outer = parseCidr(block.cidr)!;
            for (const e of block.except ?? []) {
              const inner = parseCidr(e)!;
              assert.equal(inner.family, outer.family, `${e} in ${block.cidr}`);
              assert.ok(inner.prefix > outer.prefix && cidrOverlaps(outer, inner), `${e} not a strict subset of ${block.cidr}`);
            }
          }
          // Sources (ingress from an ipBlock) cannot reach the endpoint; exceptions are the sanctioned path.
          if (!profile.spec.instanceMetadata.deny || p.metadata.labels?.['segmentation.dev/purpose'] === 'allow-metadata') continue;
          for (const block of (p.spec.egress ?? []).flatMap((r) => (r.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))))
            for (const meta of profile.spec.instanceMetadata.cidrs) assert.ok(!admits(block, meta), `${p.metadata.name} admits ${meta} via ${JSON.stringify(block)}`);
        }
      }),
      runs,
    );
  });

  it('gives the metadata endpoint only to the allowFrom pods, and only in namespaces they name', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const { profile, result } = compiled(input);
        if (!result.ok) return;
        const exceptions = renderNamespace(result.compiled, ns).filter((p) => p.metadata.labels?.['segmentation.dev/purpose'] === 'allow-metadata');
        const entries = profile.spec.instanceMetadata.deny ? (profile.spec.instanceMetadata.allowFrom ?? []) : [];
        assert.ok(exceptions.length <= entries.length);
        for (const p of exceptions) {
          const entry = entries[Number(p.metadata.name.split('.').pop())]!;
          if (entry.namespaceSelector) assert.ok(selectorMatches(entry.namespaceSelector, ns.labels), `${p.metadata.name} in ${ns.name}, which its namespaceSelector does not match`);
          assert.deepEqual(p.spec.podSelector, { ...(entry.podSelector.matchLabels && Object.keys(entry.podSelector.matchLabels).length > 0 ? { matchLabels: entry.podSelector.matchLabels } : {}), ...(entry.podSelector.matchExpressions?.length ? { matchExpressions: entry.podSelector.matchExpressions } : {}) });
          for (const block of (p.spec.egress ?? []).flatMap((r) => (r.to ?? []).map((peer) => peer.ipBlock!)))
            assert.ok(profile.spec.instanceMetadata.cidrs.some((m) => cidrOverlaps(parseCidr(m)!, parseCidr(block.cidr)!)), `${block.cidr} is not a metadata range`);
        }
      }),
      runs,
    );
  });

  it('never emits an egress ipBlock that admits a denied port on a node range', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const { profile, result } = compiled(input);
        if (!result.ok || !profile.spec.nodeAccess) return;
        const samples = deniedSamples(profile.spec.nodeAccess.denyPorts);
        for (const p of renderNamespace(result.compiled, ns)) {
          for (const rule of p.spec.egress ?? []) {
            const open = samples.filter(([protocol, port]) => portAdmits(rule.ports, protocol, port));
            if (open.length === 0) continue;
            for (const peer of rule.to ?? []) {
              if (!peer.ipBlock) continue;
              for (const node of profile.spec.nodeAccess.cidrs) assert.ok(!admits(peer.ipBlock, node) && !cidrInside(peer.ipBlock.cidr, node), `${p.metadata.name} admits ${open[0]!.join('/')} on node range ${node} via ${JSON.stringify(peer.ipBlock)}`);
            }
          }
        }
      }),
      runs,
    );
  });

  it('emits nothing for excluded, opted-out or system namespaces', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), fc.constantFrom('excluded', 'ignored', 'system'), (input, ns, how) => {
        const profileInput = input as { spec: Record<string, unknown> };
        let target = ns;
        if (how === 'excluded') profileInput.spec.excludeNamespaces = [...((profileInput.spec.excludeNamespaces as string[]) ?? []), ns.name];
        if (how === 'ignored') target = { ...ns, labels: { ...ns.labels, 'segmentation.dev/ignore': 'true' } };
        if (how === 'system') {
          target = { name: 'kube-public', labels: { ...ns.labels, 'kubernetes.io/metadata.name': 'kube-public' } };
          profileInput.spec.includeSystemNamespaces = false;
        }
        const { result } = compiled(profileInput);
        if (!result.ok) return;
        assert.deepEqual(renderNamespace(result.compiled, target), []);
      }),
      runs,
    );
  });

  it('emits an egress allow-all-but-metadata policy only when egress is not default-denied', () => {
    fc.assert(
      fc.property(arbitraryProfileInput(), arbitraryNamespace(), (input, ns) => {
        const { profile, result } = compiled(input);
        if (!result.ok) return;
        const out = renderNamespace(result.compiled, ns);
        const hasDenyMetadata = out.some((p) => p.metadata.labels?.['segmentation.dev/purpose'] === 'deny-metadata');
        if (profile.spec.defaultDeny.egress) assert.equal(hasDenyMetadata, false);
        else if (out.length > 0) assert.equal(hasDenyMetadata, profile.spec.instanceMetadata.deny);
      }),
      runs,
    );
  });
});
