// The real API server agrees with the zod schema on the corpus (including the CEL rules ajv cannot run),
// and accepts every NetworkPolicy that `render` produces.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { NetworkPolicy } from '../../src/api/networkpolicy.js';
import { GROUP, PLURAL, VERSION, segmentationProfileSchema } from '../../src/api/profile.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import { KubeClient } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { compileProfile, renderNamespace } from '../../src/compile/render.js';
import { renderAll } from '../../src/cli/commands/render.js';
import { loadNamespaces, loadProfiles } from '../../src/cli/profiles.js';
import { corpusObject, invalidCases, validCases } from '../corpus/profiles.js';
import { ARBITRARY_FACTS, arbitraryNamespace, arbitraryProfileInput } from '../unit/compile/arbitraries.js';
import { installCrd } from './crd-install.js';
import { kubeConfig, uniqueNamespace, type TestNamespace } from './hooks.js';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

describe('CRD on the real API server', function () {
  this.timeout(120_000);
  let client: KubeClient;

  before(async () => {
    const kc = kubeConfig();
    await installCrd(kc);
    client = new KubeClient(kc);
  });

  const create = (body: Record<string, unknown>) =>
    client.request('POST', `/apis/${GROUP}/${VERSION}/${PLURAL}`, { query: { dryRun: 'All', fieldValidation: 'Strict', fieldManager: FIELD_MANAGER }, body });

  validCases.forEach((c, i) => {
    it(`accepts: ${c.name}`, async () => {
      const stored = (await create(corpusObject(c, i, 'valid'))) as { spec: unknown };
      // The server's defaults and zod's defaults agree.
      const zod = segmentationProfileSchema.parse(corpusObject(c, i, 'valid'));
      assert.deepEqual(normalise(stored.spec), normalise(zod.spec));
    });
  });

  invalidCases.forEach((c, i) => {
    it(`rejects: ${c.name} (naming ${c.field})`, async () => {
      await assert.rejects(create(corpusObject(c, i, 'invalid')), (err) => {
        const text = errorText(err);
        assert.ok(err instanceof KubeApiError && (err.statusCode === 422 || err.statusCode === 400), `unexpected ${text}`);
        // The server names list items as allow[0] like we do; strict decoding names unknown fields.
        assert.ok(text.includes(c.field!), `server error does not name ${c.field}: ${text}`);
        return true;
      });
    });
  });
});

/** Drops undefined values so that zod's output and the server's JSON compare equal. */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('rendered NetworkPolicies on the real API server', function () {
  this.timeout(300_000);
  let ns: TestNamespace;
  let client: KubeClient;

  before(async () => {
    ns = await uniqueNamespace('render');
    client = new KubeClient(kubeConfig());
  });
  after(() => ns.delete());

  async function apply(policy: NetworkPolicy): Promise<void> {
    const body = { ...policy, metadata: { ...policy.metadata, namespace: ns.name } };
    try {
      await client.request('PATCH', `/apis/networking.k8s.io/v1/namespaces/${ns.name}/networkpolicies/${policy.metadata.name}`, {
        query: { dryRun: 'All', fieldManager: FIELD_MANAGER, force: true, fieldValidation: 'Strict' },
        body,
        contentType: 'application/apply-patch+yaml',
      });
    } catch (err) {
      throw new Error(`API server rejected ${policy.metadata.name}: ${errorText(err)}\n${JSON.stringify(policy.spec)}`);
    }
  }

  it('accepts every policy of the reference scenarios (server-side apply, dry run)', async () => {
    const { existsSync, readdirSync } = await import('node:fs');
    const root = new URL('../golden/', import.meta.url);
    const namespaces = await loadNamespaces([new URL('namespaces.yaml', root).pathname]);
    let count = 0;
    for (const scenario of readdirSync(new URL('scenarios/', root))) {
      const cluster = new URL(`scenarios/${scenario}/cluster.yaml`, root).pathname;
      const profiles = await loadProfiles([new URL(`scenarios/${scenario}/profile.yaml`, root).pathname], existsSync(cluster) ? [cluster] : undefined);
      for (const policy of renderAll(profiles, namespaces)) {
        await apply(policy);
        count++;
      }
    }
    assert.ok(count > 30, `only ${count} policies applied`);
  });

  it('accepts every policy rendered from a few hundred generated profiles', async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryProfileInput(), arbitraryNamespace(), async (input, namespace) => {
        const result = compileProfile(segmentationProfileSchema.parse(input), ARBITRARY_FACTS);
        if (!result.ok) return;
        for (const policy of renderNamespace(result.compiled, namespace)) {
          await apply(policy);
          count++;
        }
      }),
      { numRuns: 200 },
    );
    assert.ok(count > 200, `only ${count} policies applied`);
  });
});
