// Which Nodes lie outside spec.nodeAccess.cidrs: a table over the pure function.
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { nodeAddresses, uncoveredNodes, type NodeAddresses } from '../../../src/controller/node-coverage.js';

const node = (name: string, addresses: [string, string][]): V1Node => ({ metadata: { name }, status: { addresses: addresses.map(([type, address]) => ({ type, address })) } });

describe('nodeAddresses', () => {
  it('keeps InternalIP and ExternalIP, drops names and duplicates', () => {
    const nodes = [
      node('a', [['Hostname', 'a'], ['InternalIP', '10.0.0.4'], ['InternalDNS', 'a.internal'], ['ExternalIP', '203.0.113.9'], ['InternalIP', '10.0.0.4'], ['InternalIP', 'fd00::4']]),
      node('b', []),
      { metadata: { name: 'c' } },
    ];
    assert.deepEqual(nodeAddresses(nodes), [
      { name: 'a', addresses: ['10.0.0.4', '203.0.113.9', 'fd00::4'] },
      { name: 'b', addresses: [] },
      { name: 'c', addresses: [] },
    ]);
  });
});

describe('uncoveredNodes', () => {
  const n = (name: string, ...addresses: string[]): NodeAddresses => ({ name, addresses });
  const cases: [string, NodeAddresses[], string[], NodeAddresses[]][] = [
    ['every address inside a range', [n('a', '10.224.0.4'), n('b', '10.224.1.200')], ['10.224.0.0/16'], []],
    ['one node in another subnet', [n('a', '10.224.0.4'), n('b', '10.225.0.4')], ['10.224.0.0/16'], [n('b', '10.225.0.4')]],
    ['only the uncovered addresses are listed (the ExternalIP)', [n('a', '10.224.0.4', '203.0.113.9')], ['10.224.0.0/16'], [n('a', '203.0.113.9')]],
    ['several ranges', [n('a', '10.224.0.4'), n('b', '192.168.5.5')], ['10.224.0.0/16', '192.168.0.0/16'], []],
    ['an IPv6 address outside IPv4-only ranges', [n('a', '10.224.0.4', 'fd00:10:224::4')], ['10.224.0.0/16'], [n('a', 'fd00:10:224::4')]],
    ['IPv6 ranges cover IPv6 addresses', [n('a', 'fd00:10:224::4')], ['10.224.0.0/16', 'fd00:10:224::/64'], []],
    ['the edges of a range', [n('a', '10.224.0.0'), n('b', '10.224.255.255'), n('c', '10.225.0.0')], ['10.224.0.0/16'], [n('c', '10.225.0.0')]],
    ['a node without addresses is nothing to report', [n('a')], ['10.224.0.0/16'], []],
    ['an address that is not an IP is not known to be covered', [n('a', 'not-an-ip')], ['0.0.0.0/0'], [n('a', 'not-an-ip')]],
    ['sorted by node name', [n('z', '1.1.1.1'), n('m', '2.2.2.2')], ['10.0.0.0/8'], [n('m', '2.2.2.2'), n('z', '1.1.1.1')]],
  ];
  for (const [what, nodes, cidrs, want] of cases) it(what, () => assert.deepEqual(uncoveredNodes(nodes, cidrs), want));
});
