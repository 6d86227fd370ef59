// The run's traffic cannot leave it: the node namespace has no default route, its IPv4 routes are
// exactly the /32s of the run's endpoints, and its only links are loopback and their veths.
import assert from 'node:assert/strict';
import { sh } from './lib/sh.js';
import { currentWorld } from './lib/shared-node.js';

export function describeIsolation(): void {
  describe('isolation of the node namespace', function () {
    it('routes only to the endpoints of the run, with no default route and no link to the host', async () => {
      const { node, shared } = currentWorld();
      const routes = (await sh('ip', ['-n', node.netns, '-4', 'route', 'show'])).trim().split('\n').filter(Boolean);
      assert.equal((await sh('ip', ['-n', node.netns, 'route', 'show', 'default'])).trim(), '', 'no IPv4 default route');
      assert.equal((await sh('ip', ['-n', node.netns, '-6', 'route', 'show', 'default'])).trim(), '', 'no IPv6 default route');
      const destinations = routes.map((r) => r.split(' ')[0]).sort();
      assert.deepEqual(destinations, shared.map((e) => e.ip).sort(), `routes: ${routes.join('; ')}`);
      const links = (await sh('ip', ['-n', node.netns, '-o', 'link', 'show'])).trim().split('\n').map((l) => l.split(': ')[1]!.split('@')[0]!);
      const veths = shared.map((e) => e.netns.slice(e.netns.lastIndexOf('-') + 1));
      assert.deepEqual(links.sort(), ['lo', ...veths].sort(), 'links: loopback and the endpoints\' veths only');
    });
  });
}
