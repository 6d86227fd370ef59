// Golden files for the reference scenarios: `render` output is compared byte for byte with
// test/golden/scenarios/<name>/expected.yaml. Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from '../../../src/cli/commands/render.js';
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
