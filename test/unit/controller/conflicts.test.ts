import assert from 'node:assert/strict';
import { ConflictWatches } from '../../../src/controller/conflicts.js';

function harness(max?: number) {
  const log: string[] = [];
  const triggers = new Map<string, () => void>();
  const enqueued: string[] = [];
  const watches = new ConflictWatches({
    watch: (ns, name, onChange) => {
      triggers.set(`${ns}/${name}`, onChange);
      return {
        start: async () => void log.push(`start ${ns}/${name}`),
        stop: async () => void log.push(`stop ${ns}/${name}`),
      };
    },
    enqueue: (ns) => enqueued.push(ns),
    ...(max !== undefined ? { max } : {}),
  });
  return { log, triggers, enqueued, watches };
}

describe('ConflictWatches (clashes wait for a change, not a timer)', () => {
  it('watches exactly the clashing names of each namespace, and stops those that no longer clash', () => {
    const h = harness();
    const steps: [string, string[], string[], number][] = [
      // namespace, clashes after its reconcile, expected watched names there, total open
      ['a', ['seg.p.deny-all', 'seg.p.dns'], ['seg.p.deny-all', 'seg.p.dns'], 2],
      ['b', ['seg.p.deny-all'], ['seg.p.deny-all'], 3],
      ['a', ['seg.p.dns'], ['seg.p.dns'], 2],
      ['a', [], [], 1],
      ['b', ['seg.p.deny-all'], ['seg.p.deny-all'], 1],
    ];
    for (const [ns, clashes, watched, total] of steps) {
      assert.equal(h.watches.set(ns, clashes), true);
      assert.deepEqual(h.watches.names(ns), watched, `${ns} after ${JSON.stringify(clashes)}`);
      assert.equal(h.watches.size, total);
    }
    assert.deepEqual(h.log, ['start a/seg.p.deny-all', 'start a/seg.p.dns', 'start b/seg.p.deny-all', 'stop a/seg.p.deny-all', 'stop a/seg.p.dns'], 'an unchanged clash keeps its one watch');
  });

  it('a change of a clashing object enqueues its namespace, every time it changes', () => {
    const h = harness();
    h.watches.set('a', ['x']);
    h.triggers.get('a/x')!();
    h.triggers.get('a/x')!();
    assert.deepEqual(h.enqueued, ['a', 'a']);
  });

  it('over the cap it says so (the caller retries with backoff) and watches what fits', () => {
    const h = harness(2);
    assert.equal(h.watches.set('a', ['x', 'y', 'z']), false);
    assert.equal(h.watches.size, 2);
    assert.equal(h.watches.set('a', ['x']), true, 'back under the cap');
  });

  it('clear() stops every watch', async () => {
    const h = harness();
    h.watches.set('a', ['x']);
    h.watches.set('b', ['y']);
    await h.watches.clear();
    assert.equal(h.watches.size, 0);
    assert.deepEqual(h.log.filter((l) => l.startsWith('stop')).sort(), ['stop a/x', 'stop b/y']);
  });
});
