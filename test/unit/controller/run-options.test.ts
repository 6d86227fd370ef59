import assert from 'node:assert/strict';
import { operatorOptions, resolveRunOptions } from '../../../src/cli/commands/run.js';

describe('run options', () => {
  it('has defaults that run against KUBECONFIG with nothing else set', () => {
    const o = resolveRunOptions({}, {});
    assert.equal(o.workers, 12);
    assert.equal(o.leaderElect, false);
    assert.equal(o.leaseDuration, 15);
    assert.equal(o.renewDeadline, 10);
    assert.equal(o.retryPeriod, 2);
    assert.equal(o.kubeconfig, undefined);
  });

  it('takes flags over environment variables over defaults', () => {
    const o = resolveRunOptions({ workers: '4' }, { SEGMENTATION_WORKERS: '8', SEGMENTATION_LOG_LEVEL: 'debug', SEGMENTATION_LEADER_ELECT: 'true', SEGMENTATION_HEALTH_PORT: '0' });
    assert.equal(o.workers, 4);
    assert.equal(o.logLevel, 'debug');
    assert.equal(o.leaderElect, true);
    assert.equal(o.healthPort, 0);
    const opts = operatorOptions(o);
    assert.equal(opts.leaderElection?.leaseDurationMs, 15_000);
    assert.equal(opts.resyncMs, 600_000);
  });

  it('rejects invalid values naming the flag and the variable', () => {
    assert.throws(() => resolveRunOptions({ workers: '0' }, {}), /--workers \(SEGMENTATION_WORKERS\)/);
    assert.throws(() => resolveRunOptions({ logLevel: 'loud' }, {}), /--log-level/);
    assert.throws(() => resolveRunOptions({ leaderElect: 'true', leaseDuration: '5', renewDeadline: '10' }, {}), /lease-duration > renew-deadline > retry-period/);
  });
});
