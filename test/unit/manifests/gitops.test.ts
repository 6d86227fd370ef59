// examples/gitops/: the Argo CD Applications and Flux objects point at paths that exist and are
// kustomizations, order the profiles after the operator, and apply server-side. (No Argo CD or Flux runs
// here: this checks what can be checked from the files.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, filesBelow, loadKustomization, parseYamlFile, readKustomization, type K8sObject } from './load.js';

const GITOPS = join(REPO_ROOT, 'examples', 'gitops');
type Obj = K8sObject & { spec: Record<string, any> };
const all = filesBelow(GITOPS).flatMap((f) => parseYamlFile(join(GITOPS, f)).map((o) => ({ file: f, object: o as Obj })));
const kustomizationDir = (p: string) => existsSync(join(REPO_ROOT, p, 'kustomization.yaml'));

describe('examples/gitops/ Argo CD', () => {
  const apps = all.filter((d) => d.object.kind === 'Application').map((d) => d.object);

  it('deploys manifests/ and then the profiles, server-side, from kustomization directories of this repository', () => {
    assert.deepEqual(apps.map((a) => a.spec.source.path).sort(), ['manifests', 'manifests/examples']);
    for (const a of apps) {
      assert.ok(kustomizationDir(a.spec.source.path), `${a.spec.source.path} is not a kustomization directory`);
      assert.ok(a.spec.syncPolicy.syncOptions.includes('ServerSideApply=true'), a.metadata.name);
      assert.notEqual(a.spec.source.targetRevision, 'HEAD', 'pin a tag');
    }
    const wave = (path: string) => Number(apps.find((a) => a.spec.source.path === path)!.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    assert.ok(wave('manifests/examples') > wave('manifests'), 'profiles must sync after the CRD');
    assert.ok(apps.find((a) => a.spec.source.path === 'manifests/examples')!.spec.syncPolicy.syncOptions.includes('SkipDryRunOnMissingResource=true'));
  });
});

describe('examples/gitops/ Flux', () => {
  const repos = all.filter((d) => d.object.kind === 'GitRepository').map((d) => d.object);
  const ks = all.filter((d) => d.object.kind === 'Kustomization' && d.object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io')).map((d) => d.object);

  it('reconciles manifests/ and then, once it is healthy, the profiles, from the GitRepository it defines', () => {
    assert.deepEqual(ks.map((k) => k.spec.path).sort(), ['./manifests', './manifests/examples']);
    for (const k of ks) {
      assert.ok(kustomizationDir(k.spec.path), k.spec.path);
      assert.ok(repos.some((r) => r.metadata.name === k.spec.sourceRef.name && k.spec.sourceRef.kind === 'GitRepository'), `${k.metadata.name}: unknown source`);
      assert.equal(k.spec.prune, true);
    }
    const operator = ks.find((k) => k.spec.path === './manifests')!;
    const profiles = ks.find((k) => k.spec.path === './manifests/examples')!;
    assert.equal(operator.spec.wait, true);
    assert.deepEqual(profiles.spec.dependsOn, [{ name: operator.metadata.name }]);
    assert.ok(repos.every((r) => r.spec.ref?.tag), 'pin a tag');
  });

  it('the profiles Kustomization waits on health checks that read the profile\'s Ready condition for its current generation', () => {
    // Run against a real kustomize-controller in test/integration/flux.test.ts; here: the shape.
    const profiles = ks.find((k) => k.spec.path === './manifests/examples')!;
    assert.equal(profiles.spec.wait, true);
    const exprs = profiles.spec.healthCheckExprs as { apiVersion: string; kind: string; current: string; failed?: string }[];
    assert.deepEqual(exprs.map((e) => `${e.apiVersion}/${e.kind}`), ['segmentation.dev/v1alpha1/SegmentationProfile']);
    for (const needle of ["c.type == 'Ready'", 'status.observedGeneration == metadata.generation', 'c.observedGeneration == metadata.generation']) assert.ok(exprs[0]!.current.includes(needle), needle);
    assert.ok(exprs[0]!.failed?.includes("c.type == 'Degraded'"));
  });

  it('its kustomization lists every Flux file', () => {
    const dir = join(GITOPS, 'flux');
    assert.deepEqual([...readKustomization(dir).resources].sort(), filesBelow(dir).filter((f) => f !== 'kustomization.yaml'));
    assert.equal(loadKustomization(dir).length, repos.length + ks.length);
  });
});

describe('examples/gitops/ all', () => {
  it('point at one repository and one revision', () => {
    const urls = new Set([...all.filter((d) => d.object.kind === 'Application').map((d) => d.object.spec.source.repoURL), ...all.filter((d) => d.object.kind === 'GitRepository').map((d) => d.object.spec.url)]);
    assert.equal(urls.size, 1);
    const revs = new Set([...all.filter((d) => d.object.kind === 'Application').map((d) => d.object.spec.source.targetRevision), ...all.filter((d) => d.object.kind === 'GitRepository').map((d) => d.object.spec.ref.tag)]);
    assert.equal(revs.size, 1);
  });
});
