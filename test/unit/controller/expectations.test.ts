// Writes in flight on a ManualClock: what the reconciler sees before the watch event, which events are
// echoes of our own writes, and the TTL.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/controller/clock.js';
import type { ObservedPolicy } from '../../../src/controller/compare.js';
import { Expectations } from '../../../src/controller/expectations.js';

const pol = (name: string, rv: string): ObservedPolicy => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, labels: { a: 'b' } }, spec: { podSelector: {} } });
const names = (list: ObservedPolicy[]) => list.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();

describe('Expectations (writes in flight)', () => {
  it('overlays our writes on the cache until the TTL passes', () => {
    const clock = new ManualClock(0);
    const e = new Expectations({ clock, ttlMs: 30_000 });
    e.wrote('ns', 'created', pol('created', '10'));
    e.wrote('ns', 'deleted', null);
    const cache = [pol('deleted', '5'), pol('other', '6')];
    assert.deepEqual(names(e.overlay('ns', cache)), ['created@10', 'other@6']);
    assert.deepEqual(names(e.overlay('elsewhere', cache)), ['deleted@5', 'other@6'], 'other namespaces untouched');
    clock.advance(30_001);
    assert.deepEqual(names(e.overlay('ns', cache)), ['deleted@5', 'other@6'], 'expired: the cache wins');
  });

  const table: [string, ObservedPolicy | null, ObservedPolicy | null, boolean, string][] = [
    // what we wrote, the event's object, is it an echo, why
    ['same resourceVersion', pol('p', '10'), pol('p', '10'), true, 'the echo of our write'],
    ['older resourceVersion', pol('p', '10'), pol('p', '9'), true, 'an intermediate step: still waiting for ours'],
    ['newer resourceVersion', pol('p', '10'), pol('p', '11'), false, 'someone changed it after us'],
    ['our delete, delete event', null, null, true, 'the echo of our delete'],
    ['our delete, object event', null, pol('p', '12'), false, 're-created by someone'],
    ['our write, delete event', pol('p', '10'), null, false, 'deleted by someone'],
  ];
  for (const [what, wrote, event, echo, why] of table) {
    it(`${what}: ${echo ? 'echo' : 'news'} (${why})`, () => {
      const e = new Expectations({ clock: new ManualClock(0) });
      e.wrote('ns', 'p', wrote);
      assert.equal(e.observed('ns', 'p', event), echo);
    });
  }

  it('an event for an object we did not write is news; a settled expectation is forgotten', () => {
    const e = new Expectations({ clock: new ManualClock(0) });
    assert.equal(e.observed('ns', 'p', pol('p', '1')), false);
    e.wrote('ns', 'p', pol('p', '10'));
    assert.equal(e.observed('ns', 'p', pol('p', '10')), true);
    assert.equal(e.observed('ns', 'p', pol('p', '10')), false, 'forgotten after the echo');
    assert.deepEqual(names(e.overlay('ns', [])), []);
  });
});
