// The periodic cluster scan on a ManualClock: when it runs, and what a profile change does to it.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/controller/clock.js';
import { PeriodicScan } from '../../../src/controller/scan-source.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function harness(periodMs = 60_000) {
  const clock = new ManualClock(0);
  const scans: number[] = [];
  const found: number[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const scan = new PeriodicScan({
    clock,
    periodMs,
    rescanDelayMs: 5_000,
    scan: async () => {
      scans.push(clock.now());
      if (hold) await new Promise<void>((r) => (release = r));
      return {};
    },
    onFindings: () => found.push(clock.now()),
    onError: () => assert.fail('no error expected'),
  });
  const at = async (t: number) => {
    clock.advance(t - clock.now());
    await settle();
  };
  return { clock, scan, scans, found, at, hold: (v: boolean) => (hold = v), release: () => release?.() };
}

describe('PeriodicScan (the cluster scan as a periodic source)', () => {
  it('scans at start, then every period; a profile change brings the next scan forward to the rescan delay', async () => {
    const h = harness();
    h.scan.start();
    assert.equal(h.scan.firstPending(), true);
    await h.at(0);
    assert.deepEqual(h.scans, [0]);
    assert.deepEqual(h.found, [0]);
    assert.equal(h.scan.firstPending(), false);
    await h.at(60_000);
    assert.deepEqual(h.scans, [0, 60_000]);
    await h.at(70_000);
    h.scan.requestSoon();
    await h.at(74_999);
    assert.deepEqual(h.scans, [0, 60_000]);
    await h.at(75_000);
    assert.deepEqual(h.scans, [0, 60_000, 75_000]);
    await h.at(135_000);
    assert.deepEqual(h.scans, [0, 60_000, 75_000, 135_000], 'then the period again');
    h.scan.stop();
    await h.at(1_000_000);
    assert.equal(h.scans.length, 4, 'stopped');
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it('a change during a scan schedules one more scan after it, at the rescan delay', async () => {
    const h = harness();
    h.hold(true);
    h.scan.start();
    await h.at(0);
    h.scan.requestSoon();
    h.scan.requestSoon();
    h.hold(false);
    h.release();
    await h.at(1_000);
    await h.at(6_000);
    assert.deepEqual(h.scans, [0, 6_000]);
    h.scan.stop();
  });

  it('period 0 never scans', async () => {
    const h = harness(0);
    h.scan.start();
    h.scan.requestSoon();
    await h.at(1_000_000);
    assert.deepEqual(h.scans, []);
    assert.equal(h.scan.firstPending(), false);
  });
});
