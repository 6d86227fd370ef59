import assert from 'node:assert/strict';
import { understandProfile } from '../../../src/controller/profiles.js';
import { OutcomeStore } from '../../../src/controller/outcomes.js';

const raw = (spec: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'p', uid: 'u', generation: 4, managedFields: [{}], ...extra }, spec, status: { observedGeneration: 3, extra: 'ignored' } });

describe('understandProfile', () => {
  it('compiles a valid profile as the API server returns it (server metadata, status)', () => {
    const p = understandProfile(raw({ mode: 'DryRun' }));
    assert.deepEqual(p.errors, []);
    assert.equal(p.view.mode, 'DryRun');
    assert.equal(p.view.generation, 4);
    assert.ok(p.view.compiled);
  });

  it('reports schema errors with their path and compiles nothing', () => {
    const p = understandProfile(raw({ allow: [{ name: 'Bad Name', from: { podSelector: {} }, to: { podSelector: {} } }] }));
    assert.equal(p.view.compiled, undefined);
    assert.match(p.errors.join(), /spec\.allow\.0\.name/);
  });

  it('reports compile errors (metadata range inside an allow) and compiles nothing', () => {
    const p = understandProfile(raw({ allow: [{ name: 'meta', from: { podSelector: {} }, to: { ipBlock: { cidr: '169.254.169.254/32' } } }] }));
    assert.equal(p.view.compiled, undefined);
    assert.ok(p.parsed);
    assert.ok(p.errors.length > 0);
  });
});

describe('OutcomeStore', () => {
  it('replaces a namespace\'s outcomes and reports which profiles changed', () => {
    const store = new OutcomeStore();
    const ok = { generation: 1, selected: true, desired: 3, inPlace: 3 };
    assert.deepEqual([...store.setNamespace('a', new Map([['p', ok], ['q', ok]]))].sort(), ['p', 'q']);
    assert.deepEqual([...store.setNamespace('a', new Map([['p', ok], ['q', ok]]))], [], 'unchanged');
    assert.deepEqual([...store.setNamespace('a', new Map([['p', ok]]))], ['q'], 'q no longer there');
    assert.equal(store.outcomes('q').size, 0);
    store.dropProfile('p');
    assert.equal(store.outcomes('p').size, 0);
    assert.deepEqual([...store.setNamespace('a', new Map())], [], 'p was dropped already');
  });
});
