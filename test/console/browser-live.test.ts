// The console in a real Chromium against a real control plane and the operator: create a profile through
// the form (with a bad CIDR first), save it, see the operator's policies appear and the profile turn Ready,
// edit a rule and see the diff, a conflicting Save shown and not forced, a namespace's matrix, and explain
// of a blocked flow. Writes a screenshot of each page to docs/images/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { API_VERSION, KIND } from '../../src/api/profile.js';
import { PROFILES_PATH } from '../../src/kube/api.js';
import { liveSource } from '../../src/console/source-live.js';
import { startConsole, type RunningConsole } from '../../src/console/server.js';
import { launchChromium, newPage, screenshot } from './browser.js';
import { ensureBundle } from './bundle.js';
import { startLiveCluster, type LiveCluster } from './live-cluster.js';

const id = randomBytes(3).toString('hex');
const NS = `shop-${id}`;
const PROFILE = `web-${id}`;
const field = (page: Page, path: string) => page.locator(`[data-path="${path}"]`);

/** Retries `check` after clicking Refresh, until it passes or the time is up. */
async function untilAfterRefresh(page: Page, check: () => Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
    await page.locator('#refresh').click();
    await page.locator('#refresh:not([disabled])').waitFor();
  }
}

describe('console in Chromium, live against the control plane and the operator', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let cluster: LiveCluster;
  let c: RunningConsole;
  let page: Page;
  let errors: string[];

  before(async function () {
    browser = await launchChromium(this);
    this.timeout(50 * 60_000); // first run: the control plane binaries may still have to be built
    await ensureBundle();
    cluster = await startLiveCluster();
    await cluster.api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'console-test': id } } } });
    for (const [name, app, port] of [['backend-0', 'backend', 8080], ['database-0', 'database', 5432]] as const) {
      const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { automountServiceAccountToken: false, containers: [{ name: app, image: 'registry.invalid/app:1', ports: [{ containerPort: port }] }] } };
      // The default ServiceAccount appears a moment after the namespace.
      for (let i = 0; ; i++) {
        try {
          await cluster.api.request('POST', `/api/v1/namespaces/${NS}/pods`, { body });
          break;
        } catch (err) {
          if (i > 50) throw err;
          await sleep(200);
        }
      }
    }
    const started = performance.now();
    c = await startConsole({ source: liveSource(cluster.kubeconfigPath), port: 0 });
    process.stderr.write(`[console-live] console listening after ${Math.round(performance.now() - started)} ms\n`);
    ({ page, errors } = await newPage(browser!));
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await c?.close();
    if (cluster) {
      await cluster.api.request('DELETE', `${PROFILES_PATH}/${PROFILE}`).catch(() => {});
      await cluster.api.request('DELETE', `/api/v1/namespaces/${NS}`).catch(() => {});
      await cluster.stop();
    }
  });

  it('creates a profile through the form, with the validation message for a bad CIDR on its field', async () => {
    await page.goto(`${c.url}#/profile?new=${PROFILE}`);
    await field(page, 'spec.namespaceSelector').fill(`console-test=${id}`);
    await page.locator('#matched').getByText(NS).waitFor();
    await page.locator('#add-rule').click();
    await field(page, 'spec.allow[0].name').fill('backend-to-database');
    await field(page, 'spec.allow[0].from.podSelector').fill('app=backend');
    await field(page, 'spec.allow[0].to.podSelector').fill('app=database');
    await field(page, 'spec.allow[0].ports[0].port').fill('5432');
    await page.locator('#add-rule').click();
    await field(page, 'spec.allow[1].name').fill('backend-to-external-api');
    await field(page, 'spec.allow[1].from.podSelector').fill('app=backend');
    await page.locator('#rule-1-to-kind').selectOption('ip-block');
    await field(page, 'spec.allow[1].to.ipBlock.cidr').fill('203.0.113.0/33');
    const cidrField = page.locator('.field', { has: field(page, 'spec.allow[1].to.ipBlock.cidr') });
    await cidrField.locator('small.error').getByText('must be a CIDR', { exact: false }).waitFor();
    assert.equal(await page.locator('#save').isDisabled(), true, 'Save is off while the profile is invalid');
    await cidrField.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'console-editor-validation');
    await field(page, 'spec.allow[1].to.ipBlock.cidr').fill('203.0.113.0/24');
    assert.equal(await cidrField.locator('small.error').count(), 0);
    assert.equal(await page.locator('#save').isDisabled(), false);
    // The preview: the exact policies for the namespace, none of them in the cluster yet.
    await page.locator(`#preview details[data-policy="seg.${PROFILE}.deny-all"][data-change="added"]`).waitFor();
    assert.ok((await page.locator('#preview details[data-change="added"]').count()) >= 4);
  });

  it('saves with server-side apply (field manager segmentation-console) and the operator writes the policies', async () => {
    await page.locator('#save').click();
    await page.locator('#save-result').getByText('applied', { exact: false }).waitFor();
    const stored = await cluster.api.request<{ metadata: { managedFields: Array<{ manager: string; operation: string }> } }>('GET', `${PROFILES_PATH}/${PROFILE}`);
    assert.ok(stored.metadata.managedFields.some((f) => f.manager === 'segmentation-console' && f.operation === 'Apply'));
    // Once the operator has written them, the preview shows every policy as unchanged.
    await untilAfterRefresh(page, async () => (await page.locator('#preview details[data-change="unchanged"]').count()) >= 4 && (await page.locator('#preview details[data-change="added"]').count()) === 0, 'the operator to write the policies');
    const list = await cluster.api.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`);
    assert.ok(list.items.some((p) => p.metadata.name === `seg.${PROFILE}.allow.backend-to-database.ingress`));
  });

  it('shows the profile Ready on the overview', async () => {
    await page.goto(`${c.url}#/`);
    const ready = page.locator(`tr[data-profile="${PROFILE}"] td.ready`);
    await untilAfterRefresh(page, async () => (await ready.textContent())?.trim() === 'Ready', 'the profile to turn Ready');
    await screenshot(page, 'console-overview');
  });

  it('shows the diff of an edited rule against the cluster', async () => {
    await page.goto(`${c.url}#/profile/${PROFILE}`);
    await field(page, 'spec.allow[0].ports[0].port').fill('5433');
    const change = page.locator(`#preview details[data-policy="seg.${PROFILE}.allow.backend-to-database.ingress"][data-change="changed"]`);
    await change.waitFor();
    assert.match((await change.locator('.line.del').allTextContents()).join('\n'), /port: 5432/);
    assert.match((await change.locator('.line.add').allTextContents()).join('\n'), /port: 5433/);
    await change.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-editor-diff');
  });

  it('shows a conflict with another field manager and does not force it', async () => {
    // A GitOps tool takes the rule over (as Argo CD or Flux would, with server-side apply).
    const spec = { namespaceSelector: { matchLabels: { 'console-test': id } }, allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ protocol: 'TCP', port: 6000 }] }] };
    await cluster.api.request('PATCH', `${PROFILES_PATH}/${PROFILE}`, { query: { fieldManager: 'gitops-tool', force: true }, body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: PROFILE }, spec }, contentType: 'application/apply-patch+yaml' });
    await page.locator('#save').click();
    await page.locator('#save-result').getByText('conflict', { exact: false }).waitFor();
    assert.match((await page.locator('#save-result').textContent()) ?? '', /gitops-tool/);
    const stored = await cluster.api.request<{ spec: { allow: Array<{ name: string; ports: Array<{ port: number }> }> } }>('GET', `${PROFILES_PATH}/${PROFILE}`);
    assert.equal(stored.spec.allow.find((r) => r.name === 'backend-to-database')?.ports[0]?.port, 6000, 'the console did not force its value');
  });

  it("shows a namespace's matrix and explains a blocked flow from a cell", async () => {
    await page.goto(`${c.url}#/namespace/${NS}`);
    await page.locator('#matrix-port').fill('6000');
    // The operator follows the GitOps tool's port 6000 within moments; Refresh until the page has it.
    const allowed = page.getByRole('button', { name: 'app=backend to app=database: allowed' });
    await untilAfterRefresh(page, async () => (await allowed.count()) === 1, 'backend -> database allowed on 6000');
    await page.getByRole('button', { name: 'app=database to app=backend: denied' }).click();
    const result = page.locator('#cell-explain .explain-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-verdict'), 'denied');
    assert.match((await result.textContent()) ?? '', /DENIED/);
    await screenshot(page, 'console-namespace');
    // The same flows as a diagram: an arrow per allowed flow; clicking one explains it.
    const edge = page.locator('svg.diagram g.edge[data-edge="app=backend -> app=database"]');
    await edge.scrollIntoViewIfNeeded();
    assert.equal(await page.locator('svg.diagram g.edge[data-edge="app=database -> app=backend"]').count(), 0, 'a denied flow has no arrow');
    await edge.locator('line.hit').click({ force: true });
    await page.locator('#cell-explain .explain-result[data-verdict="allowed"]').waitFor();
    await page.locator('svg.diagram').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-diagram');
  });

  it('explains a blocked flow on the Explain page, linkable by URL', async () => {
    await page.goto(`${c.url}#/explain?from=${NS}/backend-0&to=169.254.169.254&port=80`);
    const result = page.locator('.explain-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-verdict'), 'denied');
    await screenshot(page, 'console-explain');
  });

  it('offers Copy YAML instead of Save for a profile that Argo CD manages', async () => {
    const name = `argo-${id}`;
    const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name, annotations: { 'argocd.argoproj.io/tracking-id': `profiles:segmentation.dev/SegmentationProfile:/${name}` } }, spec: { namespaceSelector: { matchLabels: { 'console-test': 'none' } } } };
    await cluster.api.request('PATCH', `${PROFILES_PATH}/${name}`, { query: { fieldManager: 'argocd-controller' }, body, contentType: 'application/apply-patch+yaml' });
    try {
      await page.goto(`${c.url}#/`);
      await page.locator('#refresh').click();
      await page.locator(`tr[data-profile="${name}"]`).waitFor();
      await page.goto(`${c.url}#/profile/${name}`);
      await page.locator('#gitops-banner').getByText('managed by Argo CD', { exact: false }).waitFor();
      assert.equal(await page.locator('#save').count(), 0);
      assert.equal(await page.locator('#copy-yaml').count(), 1);
    } finally {
      await cluster.api.request('DELETE', `${PROFILES_PATH}/${name}`).catch(() => {});
    }
  });

  it('raised no uncaught error in the page', () => {
    assert.deepEqual(errors, []);
  });
});
