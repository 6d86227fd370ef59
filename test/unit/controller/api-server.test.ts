// The API server's endpoints as the operator tracks them: from the cached `kubernetes` EndpointSlices to
// the facts profiles are compiled with, and which profiles that recompiles.
import assert from 'node:assert/strict';
import type { ApiServerEndpoints } from '../../../src/api/apiserver-endpoints.js';
import { endpointsFromSlices, updateEndpoints } from '../../../src/controller/api-server.js';
import { ProfileRegistry } from '../../../src/controller/profiles.js';
import { MISSING_API_SERVER, renderNamespace } from '../../../src/compile/render.js';
import { compactEndpointSlice, type EndpointSliceWire } from '../../../src/kube/api.js';

/** An EndpointSlice as a list returns it (no kind), through the informer's transform. */
const slice = (name: string, addresses: string[], extra: Partial<EndpointSliceWire> = {}): EndpointSliceWire =>
  compactEndpointSlice({
    metadata: { name, namespace: 'default', resourceVersion: '7', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    ...extra,
  });
const ep = (...addresses: string[]): ApiServerEndpoints => ({ addresses, ports: [{ protocol: 'TCP', port: 6443 }] });

describe('endpointsFromSlices', () => {
  const cases: [string, EndpointSliceWire[], ApiServerEndpoints | undefined][] = [
    ['one slice', [slice('kubernetes', ['10.0.0.1'])], ep('10.0.0.1')],
    ['several slices are merged, sorted', [slice('kubernetes', ['10.0.0.2']), slice('kubernetes-extra', ['10.0.0.1'])], ep('10.0.0.1', '10.0.0.2')],
    ['no slice', [], undefined],
    ['only unready endpoints', [slice('kubernetes', [], { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false } }] })], undefined],
    ['a slice of another Service is ignored', [slice('kubernetes', ['10.0.0.1']), slice('other', ['10.9.9.9'], { metadata: { name: 'other', namespace: 'default', labels: { 'kubernetes.io/service-name': 'other' } } })], ep('10.0.0.1')],
    ['a slice that does not parse is ignored', [slice('kubernetes', ['10.0.0.1']), slice('broken', ['10.0.0.3'], { ports: [{ port: 0 }] })], ep('10.0.0.1')],
  ];
  for (const [what, slices, want] of cases) it(what, () => assert.deepEqual(endpointsFromSlices(slices), want));

  it('the cache transform keeps what is read and adds the kind list items lack', () => {
    const s = slice('kubernetes', ['10.0.0.1']);
    assert.equal(s.kind, 'EndpointSlice');
    assert.deepEqual(Object.keys(s.metadata!).sort(), ['labels', 'name', 'namespace', 'resourceVersion']);
  });
});

describe('updateEndpoints', () => {
  const a = ep('10.0.0.1');
  const b = ep('10.0.0.2');
  const cases: [string, ApiServerEndpoints | undefined, ApiServerEndpoints | undefined, { endpoints: ApiServerEndpoints | undefined; changed: boolean; keptLastKnown: boolean }][] = [
    ['first endpoints', undefined, a, { endpoints: a, changed: true, keptLastKnown: false }],
    ['the same addresses again (a relist, an unrelated field)', a, ep('10.0.0.1'), { endpoints: a, changed: false, keptLastKnown: false }],
    ['an address changed', a, b, { endpoints: b, changed: true, keptLastKnown: false }],
    ['a port changed', a, { ...a, ports: [{ protocol: 'TCP', port: 443 }] }, { endpoints: { ...a, ports: [{ protocol: 'TCP', port: 443 }] }, changed: true, keptLastKnown: false }],
    ['momentarily none: the last known are kept', a, undefined, { endpoints: a, changed: false, keptLastKnown: true }],
    ['never any', undefined, undefined, { endpoints: undefined, changed: false, keptLastKnown: false }],
  ];
  for (const [what, known, observed, want] of cases) it(what, () => assert.deepEqual(updateEndpoints(known, observed), want));
});

describe('ProfileRegistry with cluster facts', () => {
  const raw = (name: string, spec: unknown) => ({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name, uid: `u-${name}`, generation: 1 }, spec });
  const ns = { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } };
  const apiPolicy = (r: ProfileRegistry) => {
    const compiled = r.get('api')?.view.compiled;
    return compiled && renderNamespace(compiled, ns).find((p) => p.metadata.name === 'seg.api.allow-api-server.0');
  };

  it('a profile with spec.apiServer is invalid until the endpoints are known, then renders them; others are not recompiled', () => {
    const r = new ProfileRegistry();
    r.set(raw('api', { apiServer: { allowFrom: [{ podSelector: { matchLabels: { app: 'ci' } } }] } }));
    r.set(raw('plain', {}));
    assert.deepEqual(r.get('api')!.errors, [`spec.apiServer.allowFrom: ${MISSING_API_SERVER}`]);
    const plainBefore = r.get('plain');

    const changed = r.setFacts({ apiServer: ep('10.0.0.1') });
    assert.deepEqual(changed.map((c) => [c.before.view.name, c.before.errors.length > 0, c.after.errors]), [['api', true, []]]);
    assert.equal(r.get('plain'), plainBefore, 'a profile without spec.apiServer is left as it was');
    assert.deepEqual(apiPolicy(r)?.spec.egress, [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }]);

    r.setFacts({ apiServer: ep('10.0.0.1', '10.0.0.2') });
    assert.deepEqual(apiPolicy(r)?.spec.egress?.[0]?.to, [{ ipBlock: { cidr: '10.0.0.1/32' } }, { ipBlock: { cidr: '10.0.0.2/32' } }]);
  });

  it('profiles added later compile with the facts already known', () => {
    const r = new ProfileRegistry();
    assert.deepEqual(r.setFacts({ apiServer: ep('10.0.0.1') }), []);
    r.set(raw('api', { apiServer: { allowFrom: [{ podSelector: {} }] } }));
    assert.deepEqual(r.get('api')!.errors, []);
    assert.ok(apiPolicy(r));
  });

  it('carries the profile warnings (for RulesEffective), also for a profile that does not compile', () => {
    const r = new ProfileRegistry();
    const { after } = r.set(raw('api', { instanceMetadata: { deny: false, allowFrom: [{ podSelector: {} }] }, apiServer: { allowFrom: [{ podSelector: {} }] } }));
    assert.deepEqual(after.errors, [`spec.apiServer.allowFrom: ${MISSING_API_SERVER}`]);
    assert.deepEqual(after.warnings.map((w) => w.path), ['spec.instanceMetadata.allowFrom']);
  });
});
