// boundedSignal: a deadline or a source aborts it, and release() leaves nothing behind on a long-lived
// source (the write fence of a term sees thousands of requests).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { boundedSignal } from '../../../src/kube/abort.js';

describe('boundedSignal', () => {
  it('aborts at its deadline and says so', async () => {
    const b = boundedSignal(20, []);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(b.signal.aborted, true);
    assert.equal(b.timedOut(), true);
    b.release();
  });

  it('aborts when a source aborts (not a timeout), also when the source was aborted already', () => {
    const fence = new AbortController();
    const b = boundedSignal(10_000, [fence.signal, undefined]);
    fence.abort(new Error('lost the lease'));
    assert.equal(b.signal.aborted, true);
    assert.equal(b.timedOut(), false);
    assert.equal((b.signal.reason as Error).message, 'lost the lease');
    b.release();
    const already = boundedSignal(10_000, [AbortSignal.abort()]);
    assert.equal(already.signal.aborted, true);
    already.release();
  });

  it('released, it leaves no listener on a long-lived source and its timer does not fire', async () => {
    const fence = new AbortController();
    const signals = Array.from({ length: 1000 }, () => boundedSignal(30, [fence.signal]));
    assert.equal(getEventListeners(fence.signal, 'abort').length, 1000);
    for (const b of signals) b.release();
    assert.equal(getEventListeners(fence.signal, 'abort').length, 0);
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(signals.every((b) => !b.signal.aborted && !b.timedOut()), 'a released signal never times out');
  });
});
