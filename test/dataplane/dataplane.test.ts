// The data-plane suite: one node (control plane, kube-router, operator in a private network
// namespace) for every part below. Needs root and iptables/ipset/iproute2: on CI a missing
// prerequisite fails the suite; elsewhere it is skipped with one line saying why.
import { describeConformance } from './conformance.js';
import { describeIsolation } from './isolation.js';
import { describeProperty } from './property.js';
import { describeSweep } from './sweep.js';
import { startWorld, stopWorld } from './lib/shared-node.js';

describe('data plane (kube-router v2.1.0, real packets between network namespaces)', function () {
  before(async function () {
    this.timeout(50 * 60_000); // the first run builds kube-router (and the control plane) from Go modules
    const skipReason = await startWorld();
    if (skipReason) {
      process.stderr.write(`  data-plane suite skipped: ${skipReason}\n`);
      this.skip();
    }
  });
  after(async function () {
    this.timeout(60_000);
    await stopWorld();
  });

  describeSweep();
  describeIsolation();
  describeConformance();
  describeProperty();
});
