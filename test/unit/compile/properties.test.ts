// Properties of the compiler over generated profiles and namespaces (fast-check).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrOverlaps, parseCidr } from '../../../src/api/cidr.js';
import type { NetworkPolicy } from '../../../src/api/networkpolicy.js';
import type { SegmentationProfile } from '../../../src/api/profile.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import { isValidSubdomainName } from '../../../src/compile/names.js';
import { compileProfile, renderNamespace } from '../../../src/compile/render.js';
import { toYamlDocuments } from '../../../src/cli/output.js';
import { arbitraryNamespace, arbitraryProfileInput } from './arbitraries.js';

function compiled(input: unknown) {
  const profile: SegmentationProfile = segmentationProfileSchema.parse(input);
  const result = compileProfile(profile);
  return { profile, result };
}

function ipBlocks(p: NetworkPolicy) {
  return [...(p.spec.egress ?? []).flatMap((r) => r.to ?? []), ...(p.spec.ingress ?? []).flatMap((r) => r.from ?? [])].flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
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

  it('never emits an ipBlock that admits a blocked metadata address, nor an invalid except', () => {
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
            if (profile.spec.instanceMetadata.deny) for (const meta of profile.spec.instanceMetadata.cidrs) assert.ok(!admits(block, meta), `${p.metadata.name} admits ${meta} via ${JSON.stringify(block)}`);
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
