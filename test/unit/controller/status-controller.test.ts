// The status controller on a ManualClock: no sleeps, time advanced by hand.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/controller/clock.js';
import { StatusController } from '../../../src/controller/status-controller.js';

const profilesWritten = (writes: readonly [string, number][]) => writes.map(([p]) => p);

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function harness(opts: { busy?: () => boolean; fail?: (profile: string, attempt: number) => unknown } = {}) {
  const clock = new ManualClock(0);
  const writes: [string, number][] = [];
  const errors: string[] = [];
  const attempts = new Map<string, number>();
  const sc = new StatusController({
    clock,
    debounceMs: 1_000,
    maxDelayMs: 5_000,
    backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
    busy: opts.busy ?? (() => false),
    isGone: (err) => (err as { gone?: boolean }).gone === true,
    write: async (profile) => {
      const n = (attempts.get(profile) ?? 0) + 1;
      attempts.set(profile, n);
      const err = opts.fail?.(profile, n);
      if (err) throw err;
      writes.push([profile, clock.now()]);
    },
    onError: (profile, _err, retries) => errors.push(`${profile}@${clock.now()} retries=${retries}`),
  });
  const at = async (t: number) => {
    clock.advance(t - clock.now());
    await settle();
  };
  return { clock, sc, writes, errors, attempts, at };
}

describe('StatusController (profile-keyed queue on an injected clock)', () => {
  it('debounces: changes within the debounce window give one write, debounceMs after the first', async () => {
    const h = harness();
    h.sc.start();
    h.sc.enqueue(['p']);
    await h.at(300);
    h.sc.enqueue(['p', 'q']);
    await h.at(999);
    assert.deepEqual(h.writes, []);
    await h.at(1_000);
    assert.deepEqual(h.writes, [['p', 1_000]]);
    await h.at(1_300);
    assert.deepEqual(h.writes, [['p', 1_000], ['q', 1_300]]);
    assert.ok(h.sc.idle());
    await h.sc.stop();
  });

  it('waits while namespaces are being reconciled, but at most maxDelayMs after the first change', async () => {
    let busy = true;
    const h = harness({ busy: () => busy });
    h.sc.start();
    h.sc.enqueue(['p']);
    for (const t of [1_000, 2_000, 3_000, 4_000]) {
      await h.at(t);
      assert.deepEqual(h.writes, [], `deferred at ${t}`);
    }
    await h.at(5_000);
    assert.deepEqual(h.writes, [['p', 5_000]], 'written at the max delay even though still busy');
    busy = false;
    h.sc.enqueue(['p']);
    await h.at(6_000);
    assert.deepEqual(h.writes.at(-1), ['p', 6_000], 'idle: written after the debounce');
    await h.sc.stop();
  });

  it('retries a failed write with per-profile backoff (1 s, 2 s, ...) and forgets it after success; a gone profile is not retried', async () => {
    const h = harness({ fail: (profile, n) => (profile === 'gone' ? { gone: true } : n <= 2 ? new Error('503') : undefined) });
    h.sc.start();
    h.sc.enqueue(['p', 'gone']);
    await h.at(1_000);
    await h.at(1_999);
    assert.equal(h.attempts.get('p'), 1);
    await h.at(2_000);
    assert.equal(h.attempts.get('p'), 2, 'retried 1 s after the first failure');
    await h.at(3_999);
    assert.equal(h.attempts.get('p'), 2);
    await h.at(4_000);
    assert.deepEqual(h.writes, [['p', 4_000]], 'then 2 s after the second');
    assert.deepEqual(h.errors, ['p@1000 retries=0', 'p@2000 retries=1']);
    assert.equal(h.attempts.get('gone'), 1, 'not found: not retried');
    await h.at(100_000);
    assert.equal(h.attempts.get('p'), 3, 'nothing after success');
    await h.sc.stop();
  });

  it('records changes while stopped (standby) and writes them once started; stop({flush}) writes what is pending', async () => {
    const h = harness();
    h.sc.enqueue(['p']);
    await h.at(10_000);
    assert.deepEqual(h.writes, [], 'not running');
    h.sc.start();
    await h.at(11_000);
    assert.deepEqual(h.writes, [['p', 11_000]]);
    h.sc.enqueue(['q']);
    await h.sc.stop({ flush: true });
    assert.deepEqual(profilesWritten(h.writes), ['p', 'q']);
    assert.equal(h.clock.pendingTimers(), 0, 'no timer left behind');
  });
});
