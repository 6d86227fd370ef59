// The real API server, with the real CRDs of Cilium (v1.20.2) and network-policy-api (v0.2.0) installed,
// accepts every guardrail object that `render` emits (server-side apply, dry run, strict field
// validation): for the golden scenarios and for generated profiles. Calico's v3 CRDs cannot be fetched
// here (docs/guardrails.md), so Calico objects are not part of this test.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { segmentationProfileSchema } from '../../src/api/profile.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import { compileProfile } from '../../src/compile/render.js';
import { GUARDRAIL_RESOURCES, type GuardrailObject } from '../../src/compile/guardrails/index.js';
import { GUARDRAIL_SCHEMAS, type GuardrailKind } from '../../src/analysis/input-schemas.js';
import { describeZodIssues } from '../../src/cli/input.js';
import { renderGuardrailObjects } from '../../src/cli/commands/render.js';
import { loadProfiles } from '../../src/cli/profiles.js';
import { KubeClient } from '../../src/kube/client.js';
import { ARBITRARY_FACTS, arbitraryGuardrailProfileInput } from '../unit/compile/arbitraries.js';
import { installGuardrailCrds, type GuardrailPaths } from './guardrail-crds.js';
import { kubeConfig } from './hooks.js';

const CHECKED = ['Cilium', 'ClusterNetworkPolicy'] as const;

describe('guardrail objects on the real API server with the backends\' real CRDs', function () {
  this.timeout(600_000);
  let client: KubeClient;
  let paths: GuardrailPaths;
  const counts = new Map<string, number>();

  before(async () => {
    const kc = kubeConfig();
    paths = await installGuardrailCrds(kc);
    client = new KubeClient(kc);
  });

  /** Server-side apply, dry run: returns the object as the API server would store (and later return) it. */
  async function apply(object: GuardrailObject): Promise<unknown> {
    const collection = paths.get(`${object.apiVersion}/${object.kind}`);
    assert.ok(collection, `no CRD installed for ${object.apiVersion} ${object.kind}`);
    let stored: unknown;
    try {
      stored = await client.request('PATCH', `${collection}/${object.metadata.name}`, {
        query: { dryRun: 'All', fieldManager: FIELD_MANAGER, force: true, fieldValidation: 'Strict' },
        body: object,
        contentType: 'application/apply-patch+yaml',
      });
    } catch (err) {
      throw new Error(`API server rejected ${object.kind} ${object.metadata.name}: ${err instanceof Error ? err.message : String(err)}\n${JSON.stringify(object.spec)}`);
    }
    counts.set(object.kind, (counts.get(object.kind) ?? 0) + 1);
    return stored;
  }

  it('installs the pinned CRDs (CiliumClusterwideNetworkPolicy, ClusterNetworkPolicy)', () => {
    assert.deepEqual([...paths.keys()].sort(), ['cilium.io/v2/CiliumClusterwideNetworkPolicy', 'policy.networking.k8s.io/v1alpha2/ClusterNetworkPolicy']);
  });

  it('the Auto rule and the RBAC name these APIs as the real CRDs do (<plural>.<group>)', () => {
    const names = [...paths.values()].map((collection) => {
      const [, , group, , plural] = collection.split('/');
      return `${plural}.${group}`;
    });
    assert.deepEqual(names.sort(), [GUARDRAIL_RESOURCES.ciliumClusterwideNetworkPolicies, GUARDRAIL_RESOURCES.clusterNetworkPolicies]);
  });

  it("the analysis' file schemas read objects as the API server returns them (kubectl get -o yaml)", async () => {
    const profile = segmentationProfileSchema.parse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name: 'read-back' }, spec: { nodeAccess: { cidrs: ['10.224.0.0/16'] }, instanceMetadata: { allowFrom: [{ podSelector: { matchLabels: { app: 'agent' } }, ports: [{ port: 80 }] }] } } });
    for (const backend of CHECKED) {
      const result = compileProfile(profile, ARBITRARY_FACTS, { guardrails: { override: backend } });
      assert.ok(result.ok, result.ok ? '' : result.errors.join('; '));
      for (const object of result.compiled.guardrails) {
        const stored = (await apply(object)) as { kind: GuardrailKind; metadata: { managedFields?: unknown } };
        assert.ok(stored.metadata.managedFields, 'the server filled in its metadata');
        const parsed = GUARDRAIL_SCHEMAS[stored.kind].safeParse(stored);
        assert.ok(parsed.success, parsed.success ? '' : describeZodIssues({ file: `${backend} ${object.metadata.name}`, index: 0 }, parsed.error).join('\n'));
      }
    }
  });

  it('rejects an object that breaks the CRD (the check has teeth)', async () => {
    const bad = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'bad', labels: {}, annotations: {} }, spec: { tier: 'Admin', priority: 1001, subject: { namespaces: {} } } };
    await assert.rejects(apply(bad), /priority/);
  });

  for (const backend of CHECKED) {
    it(`${backend}: accepts every guardrail object of the golden scenarios`, async () => {
      const root = new URL('../golden/scenarios/', import.meta.url);
      let count = 0;
      for (const scenario of readdirSync(root)) {
        const cluster = new URL(`${scenario}/cluster.yaml`, root).pathname;
        const profilePath = new URL(`${scenario}/profile.yaml`, root).pathname;
        let profiles;
        try {
          profiles = await loadProfiles([profilePath], existsSync(cluster) ? [cluster] : undefined, { guardrails: { override: backend } });
        } catch (err) {
          // Only the documented errors may keep a scenario from a backend: glob excludes, or the Baseline
          // default-deny tier with a backend other than ClusterNetworkPolicy.
          assert.match(String(err), /the glob .* cannot be expressed as a namespace selector|Baseline needs the ClusterNetworkPolicy backend/);
          continue;
        }
        for (const object of renderGuardrailObjects(profiles)) {
          await apply(object);
          count++;
        }
      }
      assert.ok(count >= 8, `only ${count} ${backend} objects applied`);
    });

    it(`${backend}: accepts every guardrail object of a few hundred generated profiles`, async () => {
      let count = 0;
      await fc.assert(
        fc.asyncProperty(arbitraryGuardrailProfileInput(backend), async (input) => {
          const result = compileProfile(segmentationProfileSchema.parse(input), ARBITRARY_FACTS, { guardrails: {} });
          if (!result.ok) return;
          for (const object of result.compiled.guardrails) {
            await apply(object);
            count++;
          }
        }),
        { numRuns: 200 },
      );
      assert.ok(count > 200, `only ${count} ${backend} objects applied`);
    });
  }

  after(() => process.stderr.write(`[guardrails] applied (dry run): ${JSON.stringify(Object.fromEntries(counts))}\n`));
});
