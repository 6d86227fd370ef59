// The overview's metadata audit, computed per namespace for speed, must say exactly what the one-call
// audit (`segmentation audit`) says.
import assert from 'node:assert/strict';
import type { V1Namespace } from '@kubernetes/client-node';
import { auditMetadataExposure } from '../../src/analysis/audit-metadata.js';
import type { PolicyObject } from '../../src/api/networkpolicy.js';
import { auditByNamespace } from '../../src/console/findings.js';
import { pod, policy } from './fixtures.js';

const namespaces: V1Namespace[] = ['shop', 'open', 'empty', 'locked'].map((name) => ({ metadata: { name, labels: { team: name } } }));
const policies = [
  policy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Egress'] }),
  policy('shop', 'web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
  policy('locked', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
  policy('open', 'ingress-only', { podSelector: {}, policyTypes: ['Ingress'] }),
  policy('only-in-policies', 'x', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
];
const pods = [pod('shop', 'web-0', { app: 'web' }, '10.0.0.1'), pod('shop', 'db-0', { app: 'db' }, '10.0.0.2'), pod('open', 'a-0', { app: 'a' }, '10.0.0.3')];

describe('console findings: metadata audit per namespace', () => {
  for (const withPods of [true, false]) {
    it(`equals the one-call audit ${withPods ? 'with' : 'without'} pods`, () => {
      const one = auditMetadataExposure(policies as PolicyObject[], namespaces, withPods ? pods : undefined);
      const per = auditByNamespace(policies, namespaces, withPods ? pods : []);
      assert.deepEqual(per, one);
      assert.ok(one.namespaces.some((n) => n.exposed) && one.namespaces.some((n) => !n.exposed), 'the input has both answers');
    });
  }
});
