// GitOps with a real Flux: source-controller and kustomize-controller (pinned in test/gitops/flux-versions.env,
// built from their Go modules) reconcile SegmentationProfiles from a Git repository served on 127.0.0.1 by
// `git http-backend`, beside the operator running as a process. Every reconcile is forced with the
// `reconcile.fluxcd.io/requestedAt` annotation (intervals are 1h), so each step waits for a known event.
// The tests run in order and share one world: each step starts from the state the previous one left.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { API_VERSION, KIND, type SegmentationProfileInput } from '../../src/api/profile.js';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL, PURPOSE_LABEL, RULE_LABEL } from '../../src/compile/labels.js';
import { PROFILES_PATH } from '../../src/kube/api.js';
import type { ObservedPolicy } from '../../src/controller/compare.js';
import { ensureFluxBinaries, type FluxBinaries } from './flux-binaries.js';
import { FLUX_NAMESPACE, installFluxCrds, startFluxControllers, type FluxControllers } from './flux-controllers.js';
import { createGitRepo, type GitRepo } from './flux-git-repo.js';
import { startGitServer, type GitServer } from './flux-git-server.js';
import {
  condition,
  createGitRepository,
  createKustomization,
  deleteFluxObject,
  exampleProfilesKustomization,
  getKustomization,
  GIT_REPOSITORIES,
  KUSTOMIZATIONS,
  reconcileKustomization,
  syncSource,
  type FluxObject,
} from './flux-objects.js';
import { startOperatorProcess, type OperatorProcess } from './flux-operator-process.js';
import { eventually } from './hooks.js';
import { createNamespace, deleteProfile, ensureCrd, expectedNames, policies, policyNames, runCleanups, testApi, uid } from './operator-fixtures.js';

const log = (m: string) => process.stderr.write(`[flux] ${m}\n`);
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FLUX_LABEL_PREFIX = 'kustomize.toolkit.fluxcd.io/';
const OUR_LABELS = new Set([MANAGED_BY_LABEL, PROFILE_LABEL, PURPOSE_LABEL, RULE_LABEL]);

type Spec = SegmentationProfileInput['spec'];
type Profile = { metadata: { name: string; generation: number; resourceVersion: string; labels?: Record<string, string>; managedFields?: ManagedField[] }; spec: Spec; status?: Record<string, any> };
type ManagedField = { manager?: string; operation: string; subresource?: string; fieldsV1?: Record<string, unknown> };

const profileYaml = (name: string, spec: Spec) => stringify({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });
const getProfile = (name: string) => testApi().request<Profile>('GET', `${PROFILES_PATH}/${name}`);
const profileGone = (name: string) =>
  getProfile(name).then(
    () => false,
    () => true,
  );
/** Ready True for the profile's current generation: what the example's health check expressions require. */
const readyForGeneration = (p: Profile) =>
  p.status?.observedGeneration === p.metadata.generation && (p.status?.conditions as { type: string; status: string; observedGeneration?: number }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True' && c.observedGeneration === p.metadata.generation) === true;

describe('GitOps with a real Flux (integration)', function () {
  this.timeout(180_000);
  const run = uid();
  const sel = `seg-flux-${run}`;
  const profile = `flux-${run}`; // reconciled by the example's Kustomization (health checks on)
  const unwatched = `flux-plain-${run}`; // reconciled with `wait: true` and no health check expressions
  const specV1: Spec = { namespaceSelector: { matchLabels: { [sel]: 'on' } }, defaultDeny: { ingress: true, egress: true } };
  const specV2: Spec = {
    ...specV1,
    allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ protocol: 'TCP', port: 5432 }] }],
  };
  const plainSpec: Spec = { namespaceSelector: { matchLabels: { [`${sel}-none`]: 'on' } } };
  const source = `seg-${run}`;
  const ksProfiles = `profiles-${run}`;
  const ksPlain = `plain-${run}`;
  const ksRendered = `rendered-${run}`;

  let binaries: FluxBinaries;
  let dir: string;
  let server: GitServer | undefined;
  let repo: GitRepo;
  let flux: FluxControllers | undefined;
  let operator: OperatorProcess | undefined;
  let namespaces: string[] = [];
  const created: string[] = []; // every namespace the suite made, for the teardown
  let files: Record<string, string> = {};

  const commit = (next: Record<string, string>, message: string) => {
    files = next;
    return repo.commit(files, message);
  };
  /** Pushes `next` and has Flux fetch it. */
  const push = async (next: Record<string, string>, message: string) => {
    const sha = commit(next, message);
    await syncSource(source, sha);
    return sha;
  };
  const managed = async (ns: string) => (await policies(ns)).filter((p) => p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE);
  const resourceVersions = async () => {
    const out: Record<string, string> = { profile: (await getProfile(profile)).metadata.resourceVersion };
    for (const ns of namespaces) for (const p of await managed(ns)) out[`${ns}/${p.metadata.name}`] = p.metadata.resourceVersion!;
    return out;
  };
  const failureContext = () => `${flux?.logTails() ?? ''}\n--- operator ---\n${operator?.output().slice(-3000) ?? '(not running)'}`;

  before(async function () {
    // A cold build of the two controllers takes about 11-12 minutes on 2 idle cores (longer on a busy machine);
    // cached, it takes a second. The build script's own reason is the failure message when Go or the proxy is missing.
    this.timeout(50 * 60_000);
    const started = Date.now();
    binaries = await ensureFluxBinaries(log);
    log(`controllers ready after ${((Date.now() - started) / 1000).toFixed(1)} s (source-controller ${binaries.versions.sourceController}, kustomize-controller ${binaries.versions.kustomizeController})`);
    await ensureCrd();
    await installFluxCrds(binaries.crdFiles);
    await testApi()
      .request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } } })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    dir = mkdtempSync(join(tmpdir(), 'segmentation-flux-git-'));
    server = await startGitServer(join(dir, 'served'));
    repo = createGitRepo(join(dir, 'served'), join(dir, 'work'), 'profiles.git');
    flux = await startFluxControllers(binaries);
    namespaces = [await createNamespace('flux-a', { [sel]: 'on' }), await createNamespace('flux-b', { [sel]: 'on' })];
    created.push(...namespaces);
  });

  after(async function () {
    this.timeout(120_000);
    // Flux objects first, while the controllers still run to remove their finalizers (and prune).
    for (const path of [`${KUSTOMIZATIONS}/${ksProfiles}`, `${KUSTOMIZATIONS}/${ksPlain}`, `${KUSTOMIZATIONS}/${ksRendered}`, `${GIT_REPOSITORIES}/${source}`]) {
      await deleteFluxObject(path, 30_000).catch((err: Error) => log(`cleanup: ${err.message}`));
    }
    for (const p of [profile, unwatched]) await deleteProfile(p).catch(() => {});
    await operator?.stop();
    await flux?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await runCleanups();
    // The namespaces are shared with the suites that run next: wait until they are really gone.
    for (const ns of created) {
      await eventually(async () => assert.ok(await testApi().request('GET', `/api/v1/namespaces/${ns}`).then(() => false, () => true), `${ns} still exists`), { timeoutMs: 60_000, intervalMs: 250 }).catch((err: Error) => log(`cleanup: ${err.message}`));
    }
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') log(`failure context:\n${failureContext()}`);
  });

  it('applies the profiles from Git; the health check keeps the Kustomization not Ready while the operator has not reported the profile Ready', async () => {
    const sha = commit({ 'profiles/profile.yaml': profileYaml(profile, specV1), 'plain/profile.yaml': profileYaml(unwatched, plainSpec) }, 'two profiles');
    await createGitRepository(source, `${server!.baseUrl}/${repo.name}`);
    await syncSource(source, sha);

    const example = exampleProfilesKustomization();
    assert.equal(example.spec.wait, true);
    assert.ok(Array.isArray(example.spec.healthCheckExprs) && example.spec.healthCheckExprs.length > 0, 'the example has health check expressions');
    // The example's health checks, as shipped; only the source, path and timings are the test's.
    await createKustomization(ksProfiles, { ...example.spec, dependsOn: undefined, sourceRef: { kind: 'GitRepository', name: source }, path: './profiles', interval: '1h', retryInterval: '5s', timeout: '3m' });
    // What the issue found: `wait: true` alone counts a profile without status as healthy.
    await createKustomization(ksPlain, { sourceRef: { kind: 'GitRepository', name: source }, path: './plain', prune: true, wait: true, interval: '1h', timeout: '3m' });

    const applied = await eventually(() => getProfile(profile), { timeoutMs: 60_000 });
    assert.equal(applied.status, undefined, 'no operator runs yet: the profile has no status');
    assert.equal(applied.metadata.labels?.[`${FLUX_LABEL_PREFIX}name`], ksProfiles, 'applied by Flux (its tracking label)');

    const plain = await eventually(
      async () => {
        const k = await getKustomization(ksPlain);
        assert.equal(condition(k, 'Ready')?.status, 'True', JSON.stringify(k.status?.conditions));
        return k;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal((await getProfile(unwatched)).status, undefined, '`wait: true` without expressions reported Ready for a profile that has no status');
    log(`wait: true without healthCheckExprs: Ready (${condition(plain, 'Ready')?.message}) while the profile has no status`);

    // With the example's expressions: not Ready while the profile has no status, however long we look (8 s,
    // more than one of kustomize-controller's health polls).
    const samples: string[] = [];
    for (let i = 0; i < 16; i++) {
      const k = await getKustomization(ksProfiles);
      const ready = condition(k, 'Ready');
      assert.notEqual(ready?.status, 'True', `Ready before the operator reported anything: ${JSON.stringify(k.status?.conditions)}`);
      samples.push(`${ready?.status}/${ready?.reason}`);
      await sleep(500);
    }
    const k = await getKustomization(ksProfiles);
    log(`with the example's health check, before the operator: Ready ${[...new Set(samples)].join(', ')}; Healthy: ${JSON.stringify(condition(k, 'Healthy'))}`);
    assert.equal((await getProfile(profile)).status, undefined);
  });

  it('is Ready once the operator reports the profile Ready for its current generation, with every namespace covered', async () => {
    const startedAt = Date.now();
    operator = await startOperatorProcess();
    const profileReadyAt = await eventually(
      async () => {
        assert.ok(readyForGeneration(await getProfile(profile)), JSON.stringify((await getProfile(profile)).status));
        return Date.now();
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const k = await eventually(
      async () => {
        const k = await getKustomization(ksProfiles);
        assert.equal(condition(k, 'Ready')?.status, 'True', JSON.stringify(k.status?.conditions));
        return k;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    log(`operator started -> profile Ready ${profileReadyAt - startedAt} ms -> Kustomization Ready ${Date.now() - profileReadyAt} ms later (${condition(k, 'Ready')?.message})`);
    for (const ns of namespaces) assert.deepEqual(await policyNames(ns), expectedNames(profile, specV1, ns, { [sel]: 'on' }), ns);
  });

  it('the generated policies carry no Flux label and only the operator as field manager; the profile splits spec (Flux) and status (operator)', async () => {
    for (const ns of namespaces) {
      const list = await managed(ns);
      assert.ok(list.length > 0, ns);
      for (const p of list) {
        const labels = Object.keys(p.metadata.labels ?? {});
        assert.deepEqual(labels.filter((l) => !OUR_LABELS.has(l)), [], `${ns}/${p.metadata.name} labels ${labels}`);
        assert.deepEqual([...new Set((p.metadata.managedFields ?? []).map((m) => m.manager))], [FIELD_MANAGER], `${ns}/${p.metadata.name} managers`);
        assert.deepEqual(
          p.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
          [`${KIND}/${profile}`],
        );
      }
    }
    const p = await getProfile(profile);
    const fields = p.metadata.managedFields ?? [];
    const owners = (key: string, subresource?: string) => fields.filter((m) => m.subresource === subresource && JSON.stringify(m.fieldsV1 ?? {}).includes(`"${key}"`)).map((m) => m.manager);
    assert.deepEqual(owners('f:spec'), ['kustomize-controller']);
    assert.deepEqual(owners('f:status', 'status'), [FIELD_MANAGER]);
  });

  it('forced reconciles write nothing: no resourceVersion changes, no operator write', async () => {
    const before = await resourceVersions();
    const writes = await operator!.metric('segmentation_writes_total');
    for (let i = 0; i < 3; i++) {
      const k = await reconcileKustomization(ksProfiles);
      assert.equal(condition(k, 'Ready')?.status, 'True', JSON.stringify(k.status?.conditions));
    }
    await sleep(2_500); // past the operator's 1 s status debounce
    assert.deepEqual(await resourceVersions(), before);
    assert.equal(await operator!.metric('segmentation_writes_total'), writes);
  });

  it('a change in Git reaches the namespaces, and the Kustomization is Ready for it only with the profile Ready for the new generation', async () => {
    const generation = (await getProfile(profile)).metadata.generation;
    const sha = await push({ ...files, 'profiles/profile.yaml': profileYaml(profile, specV2) }, 'allow backend -> database');
    const k = await reconcileKustomization(ksProfiles);
    assert.equal(condition(k, 'Ready')?.status, 'True', JSON.stringify(k.status?.conditions));
    assert.ok(k.status?.lastAppliedRevision?.endsWith(sha), k.status?.lastAppliedRevision);
    const p = await getProfile(profile);
    assert.equal(p.metadata.generation, generation + 1);
    assert.ok(readyForGeneration(p), `the Kustomization reported Ready, so the profile must be Ready for generation ${p.metadata.generation}: ${JSON.stringify(p.status)}`);
    for (const ns of namespaces) assert.deepEqual(await policyNames(ns), expectedNames(profile, specV2, ns, { [sel]: 'on' }), ns);
  });

  it('a hand edit of the profile is reverted by Flux, and the policies follow both ways', async () => {
    await testApi().request('PATCH', `${PROFILES_PATH}/${profile}`, {
      query: { fieldManager: 'hand-edit' },
      body: { spec: { namespaceSelector: { matchLabels: { [sel]: 'off' } } } },
      contentType: 'application/merge-patch+json',
    });
    for (const ns of namespaces) await eventually(async () => assert.deepEqual(await policyNames(ns), [], `${ns}: the edited profile selects nothing`));
    const k = await reconcileKustomization(ksProfiles);
    assert.equal(condition(k, 'Ready')?.status, 'True', JSON.stringify(k.status?.conditions));
    assert.deepEqual((await getProfile(profile)).spec.namespaceSelector, specV2.namespaceSelector, 'Flux put the spec from Git back');
    for (const ns of namespaces) await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(profile, specV2, ns, { [sel]: 'on' }), ns));
  });

  it('removing the profile from Git removes the profile and all its policies', async () => {
    const rest = { ...files };
    delete rest['profiles/profile.yaml'];
    rest['profiles/README.md'] = 'no profiles\n';
    await push(rest, 'remove the profile');
    await reconcileKustomization(ksProfiles);
    await eventually(async () => assert.ok(await profileGone(profile), 'pruned by Flux'));
    for (const ns of namespaces) await eventually(async () => assert.deepEqual(await policyNames(ns), [], ns), { timeoutMs: 30_000 });
  });

  it('render-only: `segmentation render` output committed to Git and applied by Flux, with no operator, is what the operator writes', async () => {
    const rsel = `seg-flux-render-${run}`;
    const rprofile = `flux-render-${run}`;
    const rspec: Spec = { ...specV2, namespaceSelector: { matchLabels: { [rsel]: 'on' } } };
    const rnamespaces = [await createNamespace('flux-render-a', { [rsel]: 'on' }), await createNamespace('flux-render-b', { [rsel]: 'on', team: 'b' })];
    created.push(...rnamespaces);

    // What the operator writes for this profile (applied directly, then deleted: its policies go with it).
    await testApi().request('PATCH', `${PROFILES_PATH}/${rprofile}`, { query: { fieldManager: 'flux-test', force: true }, body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: rprofile }, spec: rspec }, contentType: 'application/apply-patch+yaml' });
    const byOperator = new Map<string, ObservedPolicy>();
    for (const ns of rnamespaces) {
      const labels = ns === rnamespaces[1] ? { [rsel]: 'on', team: 'b' } : { [rsel]: 'on' };
      await eventually(async () => assert.deepEqual(await policyNames(ns), expectedNames(rprofile, rspec, ns, labels), ns));
      for (const p of await managed(ns)) byOperator.set(`${ns}/${p.metadata.name}`, p);
    }
    await deleteProfile(rprofile);
    for (const ns of rnamespaces) await eventually(async () => assert.deepEqual(await policyNames(ns), [], ns));
    assert.equal(await operator!.stop(), 0, 'the operator stops cleanly before the render-only path');
    operator = undefined;

    // CI's part: render from the profile file and the namespaces as `kubectl get namespaces -o yaml` gives them.
    const nsList = { apiVersion: 'v1', kind: 'List', items: await Promise.all(rnamespaces.map((n) => testApi().request('GET', `/api/v1/namespaces/${n}`))) };
    writeFileSync(join(dir, 'render-profile.yaml'), profileYaml(rprofile, rspec));
    writeFileSync(join(dir, 'namespaces.yaml'), stringify(nsList));
    // Not execFileSync: the Git server runs in this process and must keep serving.
    const { stdout: rendered } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, 'render', '--profiles', join(dir, 'render-profile.yaml'), '--namespaces', join(dir, 'namespaces.yaml')], { encoding: 'utf8' });
    assert.match(rendered, /kind: NetworkPolicy/);
    await push({ ...files, 'rendered/policies.yaml': rendered }, 'rendered policies');
    await createKustomization(ksRendered, { sourceRef: { kind: 'GitRepository', name: source }, path: './rendered', prune: true, wait: true, interval: '1h', timeout: '2m' });
    await eventually(async () => assert.equal(condition(await getKustomization(ksRendered), 'Ready')?.status, 'True'), { timeoutMs: 90_000 });

    const byFlux = new Map<string, ObservedPolicy>();
    for (const ns of rnamespaces) for (const p of await managed(ns)) byFlux.set(`${ns}/${p.metadata.name}`, p);
    assert.deepEqual([...byFlux.keys()].sort(), [...byOperator.keys()].sort(), 'the same policies in the same namespaces');
    const withoutFlux = (labels: Record<string, string> = {}) => Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith(FLUX_LABEL_PREFIX)));
    for (const [key, op] of byOperator) {
      const fx = byFlux.get(key)!;
      assert.deepEqual(fx.spec, op.spec, `${key} spec`);
      assert.deepEqual(withoutFlux(fx.metadata.labels), op.metadata.labels, `${key} labels (Flux's tracking labels aside)`);
      assert.deepEqual(fx.metadata.annotations ?? {}, op.metadata.annotations ?? {}, `${key} annotations`);
      // The two differences, both by design: Flux's objects are Flux's (its field manager and tracking labels),
      // and there is no profile in the cluster to own them.
      assert.equal(fx.metadata.ownerReferences, undefined, key);
      assert.deepEqual([...new Set((fx.metadata.managedFields ?? []).map((m) => m.manager))], ['kustomize-controller'], key);
    }
    log(`render-only: ${byFlux.size} policies applied by Flux equal the operator's (spec, labels, annotations)`);
    await deleteFluxObject(`${KUSTOMIZATIONS}/${ksRendered}`);
    for (const ns of rnamespaces) await eventually(async () => assert.deepEqual(await policyNames(ns), [], `${ns}: pruned with the Kustomization`));
  });
});
