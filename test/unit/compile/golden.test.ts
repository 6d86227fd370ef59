// Golden files for the reference scenarios: `render` output is compared byte for byte with
// test/golden/scenarios/<name>/expected.yaml. Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll, renderGuardrailObjects } from '../../../src/cli/commands/render.js';
import { toYamlDocuments } from '../../../src/cli/output.js';
import { loadNamespaces, loadProfiles } from '../../../src/cli/profiles.js';

const root = fileURLToPath(new URL('../../golden/', import.meta.url));
const scenarios = readdirSync(join(root, 'scenarios')).sort();

describe('golden: reference scenarios', () => {
  it('has the AKS reference scenarios', () => {
    for (const name of ['deny-all', 'deny-instance-metadata', 'backend-to-database', 'frontend-to-external-api', 'api-only-from-api', 'aks-demo-api-lockdown', 'restrict-ingress-to-database', 'ingress-from-external-cidr', 'metadata-exception', 'node-ssh-block', 'api-server-egress'])
      assert.ok(scenarios.includes(name), name);
  });

  for (const name of scenarios) {
    it(`renders ${name} exactly as reviewed`, async () => {
      const dir = join(root, 'scenarios', name);
      // A scenario that needs cluster facts (the API server's endpoints) has them in cluster.yaml.
      const cluster = join(dir, 'cluster.yaml');
      const profiles = await loadProfiles([join(dir, 'profile.yaml')], existsSync(cluster) ? [cluster] : undefined);
      const namespaces = await loadNamespaces([join(root, 'namespaces.yaml')]);
      const actual = toYamlDocuments(renderAll(profiles, namespaces));
      const expectedPath = join(dir, 'expected.yaml');
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, actual);
      assert.ok(existsSync(expectedPath), `${expectedPath} missing: run with UPDATE_GOLDEN=1 and review it`);
      assert.equal(actual, readFileSync(expectedPath, 'utf8'));
    });
  }
});

// The same scenarios rendered for each cluster-scoped guardrails backend (render --backend NAME):
// test/golden/scenarios/<name>/guardrails.<backend>.yaml, guardrail objects first, then the NetworkPolicies.
const GUARDRAIL_GOLDEN: Record<string, readonly ('Cilium' | 'ClusterNetworkPolicy' | 'Calico')[]> = {
  'deny-instance-metadata': ['Cilium', 'ClusterNetworkPolicy', 'Calico'],
  'metadata-exception': ['Cilium', 'ClusterNetworkPolicy', 'Calico'],
  'node-ssh-block': ['Cilium', 'ClusterNetworkPolicy', 'Calico'],
  'cluster-guardrails': ['ClusterNetworkPolicy'],
};

describe('golden: guardrail backends', () => {
  for (const [name, backends] of Object.entries(GUARDRAIL_GOLDEN)) {
    for (const backend of backends) {
      it(`renders ${name} for ${backend} exactly as reviewed`, async () => {
        const dir = join(root, 'scenarios', name);
        const profiles = await loadProfiles([join(dir, 'profile.yaml')], undefined, { guardrails: { override: backend } });
        const namespaces = await loadNamespaces([join(root, 'namespaces.yaml')]);
        const guardrails = renderGuardrailObjects(profiles);
        assert.ok(guardrails.length > 0, 'no guardrail object rendered');
        const actual = toYamlDocuments([...guardrails, ...renderAll(profiles, namespaces)]);
        const expectedPath = join(dir, `guardrails.${backend}.yaml`);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, actual);
        assert.ok(existsSync(expectedPath), `${expectedPath} missing: run with UPDATE_GOLDEN=1 and review it`);
        assert.equal(actual, readFileSync(expectedPath, 'utf8'));
      });
    }
  }
});
