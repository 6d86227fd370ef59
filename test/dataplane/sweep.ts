// The stale-state sweep: network namespaces left by a killed run (owner process gone), with a
// process still running inside, are removed at the next start; a live run's are not touched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { addNetns, deleteNetns, listNetns, NETNS_PREFIX, sweepStale } from './lib/netns.js';

/** A pid that is certainly not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

export function describeSweep(): void {
  describe('stale-state sweep', function () {
    this.timeout(30_000);
    it('removes the namespaces (and their processes) of a run that was killed, and only those', async () => {
      const stale = `${NETNS_PREFIX}${await deadPid()}-node`;
      const live = `${NETNS_PREFIX}${process.pid}-sweeptest`;
      await addNetns(stale);
      await addNetns(live);
      const sleeper = spawn('ip', ['netns', 'exec', stale, 'sleep', '60'], { stdio: 'ignore' });
      const gone = new Promise((resolve) => sleeper.once('exit', resolve));
      try {
        await new Promise((r) => setTimeout(r, 200));
        const swept = await sweepStale();
        assert.ok(swept.includes(stale), `swept ${JSON.stringify(swept)}`);
        const left = await listNetns();
        assert.ok(!left.includes(stale), 'the stale namespace is deleted');
        assert.ok(left.includes(live), "this run's namespace is kept");
        await gone; // the process left inside was killed
      } finally {
        sleeper.kill('SIGKILL');
        await deleteNetns(stale);
        await deleteNetns(live);
      }
    });
  });
}
