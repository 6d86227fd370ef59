// The console in a real Chromium, offline on files: what the cluster (here: the files) says is shown as
// text, never run; an explain answer is linkable by URL.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startConsole, type RunningConsole } from '../../src/console/server.js';
import { fileSource } from '../../src/console/source-files.js';
import { launchChromium, newPage } from './browser.js';
import { ensureBundle } from './bundle.js';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));

describe('console in Chromium, offline (escaping, explain by URL)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let c: RunningConsole;
  let page: Page;
  let errors: string[];

  before(async function () {
    browser = await launchChromium(this);
    await ensureBundle();
    c = await startConsole({ source: fileSource({ profiles: [data('profile.yaml')], namespaces: [data('hostile.yaml')] }), port: 0 });
    ({ page, errors } = await newPage(browser!));
  });
  after(async () => {
    await browser?.close();
    await c?.close();
  });

  it('shows label values such as <script> as text and runs none of them', async () => {
    await page.goto(`${c.url}#/namespace/shop`);
    await page.getByText('<script>window.__pwned = 1</script>', { exact: false }).first().waitFor();
    assert.equal(await page.locator('code.label', { hasText: 'note=<script>window.__pwned = 1</script>' }).count(), 1);
    assert.equal(await page.locator('code.label', { hasText: 'img=<img src=x onerror="window.__pwned = 2">' }).count(), 1);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('main script, main img').count(), 0);
  });

  it('shows a pod label with markup in the matrix as text', async () => {
    await page.locator('#matrix-port').fill('5432');
    await page.locator('table.matrix').getByText('app=database,owner=<b>bold</b>').first().waitFor();
    assert.equal(await page.locator('table.matrix b').count(), 0);
  });

  it('shows a rule description with markup in the editor preview as text', async () => {
    await page.goto(`${c.url}#/profile/baseline`);
    // Offline, the files already hold what the profile renders: every policy is "unchanged" (folded).
    await page.locator('#preview details[data-change="unchanged"]').first().waitFor();
    const text = await page.locator('#preview').textContent();
    assert.match(text ?? '', /<script>window.__pwned = 3<\/script>/);
    assert.equal(await page.locator('#preview script').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
  });

  it('shows a no-effect rule warning inline on the rule, and still allows it', async () => {
    await page.goto(`${c.url}#/profile?new=warned`);
    await page.locator('#add-rule').click();
    await page.locator('#rule-0-to-kind').selectOption('ip-block');
    await page.locator('[data-path="spec.allow[0].to.ipBlock.cidr"]').fill('203.0.113.0/24');
    assert.equal(await page.locator('fieldset.rule p.warning').count(), 0);
    await page.getByRole('button', { name: 'Allow all' }).click();
    await page.locator('fieldset.rule[data-rule="0"] p.warning').getByText('has no effect', { exact: false }).waitFor();
    assert.equal(await page.locator('#problems').count(), 0, 'a warning is not a problem');
  });

  it('text, port and list fields write what is typed into the profile (digits are a port number, a name stays a name)', async () => {
    await page.goto(`${c.url}#/profile?new=typed`);
    const exclude = page.locator('[data-path="spec.excludeNamespaces"]');
    await exclude.fill('sandbox-*, legacy');
    await page.locator('#add-rule').click();
    await page.locator('[data-path="spec.allow[0].name"]').fill('to-db');
    await page.locator('#spec-allow-0-ports-all').uncheck();
    const port = page.locator('[data-path="spec.allow[0].ports[0].port"]');
    await port.fill('5432');
    const yaml = async () => {
      await page.locator('#tab-yaml').click();
      const text = await page.locator('#yaml-editor').inputValue();
      await page.getByRole('tab', { name: 'Form' }).click();
      return text;
    };
    const first = await yaml();
    assert.match(first, /excludeNamespaces:\s*\n\s*- sandbox-\*\s*\n\s*- legacy\n/);
    assert.match(first, /name: to-db/);
    assert.match(first, /port: 5432\n/);
    await port.fill(' https ');
    assert.match(await yaml(), /port: https\n/);
    assert.equal(await exclude.inputValue(), 'sandbox-*, legacy', 'the list keeps the text as typed');
    await exclude.fill('');
    assert.doesNotMatch(await yaml(), /excludeNamespaces/, 'an empty list omits the field');
  });

  it('edits the profile in the YAML tab and the form follows', async () => {
    await page.goto(`${c.url}#/profile?new=from-yaml`);
    await page.locator('#tab-yaml').click();
    const yaml = page.locator('#yaml-editor');
    await yaml.fill('apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: from-yaml\n');
    await page.locator('.field small.error').first().waitFor();
    await yaml.fill(
      'apiVersion: segmentation.dev/v1alpha1\nkind: SegmentationProfile\nmetadata: {name: from-yaml}\nspec:\n  namespaceSelector: {matchLabels: {tier: apps}}\n  allow:\n    - {name: typed-in-yaml, from: {podSelector: {}}, to: {podSelector: {matchLabels: {app: database}}}}\n',
    );
    assert.equal(await page.locator('.field small.error').count(), 0);
    await page.getByRole('tab', { name: 'Form' }).click();
    assert.equal(await page.locator('[data-path="spec.allow[0].name"]').inputValue(), 'typed-in-yaml');
    assert.equal(await page.locator('[data-path="spec.namespaceSelector"]').inputValue(), 'tier=apps');
    await page.locator('#matched').getByText('shop').waitFor();
  });

  it('answers an explain question given in the URL', async () => {
    await page.goto(`${c.url}#/explain?from=shop/database-0&to=shop/backend-0&port=5432`);
    const result = page.locator('.explain-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-verdict'), 'denied');
    assert.equal(await page.locator('#explain-from').inputValue(), 'shop/database-0');
    await page.goto(`${c.url}#/explain?from=shop/backend-0&to=shop/database-0&port=5432`);
    await page.locator('.explain-result[data-verdict="allowed"]').waitFor();
  });

  it('raised no uncaught error in the page', () => {
    assert.deepEqual(errors, []);
  });
});
