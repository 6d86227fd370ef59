// Debian's Chromium driven by playwright-core (the npm browser download cannot reach its host here).
// On CI (CI=true) a missing browser fails the run with the fix; on a developer machine the browser tests
// are skipped with one line.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SEGMENTATION_CHROMIUM ?? '/usr/bin/chromium';
export const IMAGES_DIR = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/** The browser, or undefined (test skipped) when it is missing outside CI. */
export async function launchChromium(ctx: Mocha.Context): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y chromium, as .ci/run does)`);
    process.stderr.write(`[console] skipping browser tests: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
    ctx.skip();
  }
  // The flags the workplace's probe uses: no sandbox as root, and no background connections that this
  // machine's closed network would refuse.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A page that records uncaught errors, so a test can assert there were none. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(IMAGES_DIR, { recursive: true });
  await page.screenshot({ path: `${IMAGES_DIR}${name}.png`, fullPage: false });
}
