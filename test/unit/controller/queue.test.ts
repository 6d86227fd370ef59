import assert from 'node:assert/strict';
import { WorkQueue, runWorkers } from '../../../src/controller/queue.js';
import { ItemBackoff } from '../../../src/controller/backoff.js';
import { ManualClock } from '../../../src/controller/clock.js';

const noJitter = { baseMs: 100, maxMs: 1_000, jitter: 0 };

function newQueue(clock = new ManualClock()) {
  return { clock, q: new WorkQueue<string>({ clock, backoff: noJitter }) };
}

describe('WorkQueue', () => {
  it('deduplicates keys that are queued', async () => {
    const { q } = newQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('never hands a key being processed to a second worker, and requeues it once if added meanwhile', async () => {
    const { q } = newQueue();
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'a is processing: not handed out again');
    q.done('a');
    assert.equal(q.length, 1, 'dirty while processing: queued again once');
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.length, 0);
  });

  it('wakes a blocked get() when a key arrives', async () => {
    const { q } = newQueue();
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
  });

  it('delays keys with addAfter using the injected clock; the earliest schedule wins', async () => {
    const { q, clock } = newQueue();
    q.addAfter('a', 500);
    q.addAfter('a', 1_000);
    q.addAfter('a', 200);
    assert.equal(q.length, 0);
    clock.advance(199);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.equal(q.length, 1);
    clock.advance(1_000);
    assert.equal(q.length, 1, 'superseded timers did not add it again');
  });

  it('backs off exponentially per key up to the maximum, and forget() resets it', () => {
    const { q, clock } = newQueue();
    assert.deepEqual([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a')], [100, 200, 400, 800, 1_000]);
    assert.equal(q.addRateLimited('b'), 100, 'per key');
    assert.equal(q.retries('a'), 5);
    q.forget('a');
    assert.equal(q.retries('a'), 0);
    assert.equal(q.addRateLimited('a'), 100);
    clock.advance(100);
    assert.equal(q.length, 2);
  });

  it('applies jitter from the injected random source', () => {
    const b = new ItemBackoff<string>({ baseMs: 100, maxMs: 10_000, jitter: 0.5, random: () => 1 });
    assert.equal(b.when('k'), 150);
    assert.equal(b.when('k'), 300);
  });

  it('shutDown drops queued keys, releases blocked getters and waits for in-flight keys', async () => {
    const { q, clock } = newQueue();
    q.add('a');
    q.add('b');
    q.addAfter('c', 100);
    const inFlight = await q.get();
    const blocked = new WorkQueue<string>({ clock });
    const blockedGet = blocked.get();
    let drained = false;
    const drain = q.shutDown().then(() => (drained = true));
    await Promise.resolve();
    assert.equal(drained, false, 'a is still processing');
    assert.equal(await q.get(), undefined);
    q.add('d');
    assert.equal(q.length, 0, 'no adds after shutdown');
    q.done(inFlight!);
    await drain;
    assert.equal(drained, true);
    clock.advance(1_000);
    assert.equal(q.length, 0, 'delayed keys dropped');
    void blocked.shutDown();
    assert.equal(await blockedGet, undefined);
  });
});

describe('runWorkers', () => {
  it('processes every key with N workers, never two at once on the same key, and retries failures with backoff', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock, backoff: noJitter });
    const active = new Set<string>();
    const seen: string[] = [];
    let failOnce = true;
    let overlap = false;
    const gates: (() => void)[] = [];
    const workers = runWorkers(q, 4, async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      await new Promise<void>((r) => gates.push(r));
      active.delete(key);
      seen.push(key);
      if (key === 'b' && failOnce) {
        failOnce = false;
        throw new Error('boom');
      }
    });
    // a, b and c go straight to workers; the second a and b arrive while they are processing.
    for (const k of ['a', 'b', 'c', 'a', 'b']) q.add(k);
    const flush = async () => {
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setImmediate(r));
        for (const g of gates.splice(0)) g();
      }
    };
    await flush();
    assert.deepEqual([...seen].sort(), ['a', 'a', 'b', 'b', 'c'], 'each key re-run once because it was added while processing');
    assert.equal(q.delayedCount, 1, 'the failed b waits for its backoff');
    clock.advance(99);
    await flush();
    assert.equal(seen.filter((k) => k === 'b').length, 2);
    clock.advance(1);
    await flush();
    assert.equal(seen.filter((k) => k === 'b').length, 3, 'b retried after its backoff');
    assert.equal(q.retries('b'), 0, 'success forgot the backoff');
    assert.equal(overlap, false);
    await q.shutDown();
    await workers;
  });
});
