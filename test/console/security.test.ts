// The running console server over real HTTP: every request needs the token, writes need the same
// origin and the CSRF header, --read-only refuses writes, and the page carries a strict CSP.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startConsole, type RunningConsole } from '../../src/console/server.js';
import { fileSource } from '../../src/console/source-files.js';
import { ensureBundle } from './bundle.js';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const source = () => fileSource({ profiles: [data('profile.yaml')], namespaces: [data('hostile.yaml')] });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(c: RunningConsole, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const url = new URL(path, c.origin);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('console server security', function () {
  this.timeout(30_000);
  let c: RunningConsole;
  let ro: RunningConsole;
  let csrf: string;
  const auth = () => ({ 'x-console-token': c.token });

  before(async () => {
    await ensureBundle();
    c = await startConsole({ source: source(), port: 0 });
    ro = await startConsole({ source: source(), port: 0, readOnly: true });
    csrf = (JSON.parse((await call(c, 'GET', '/api/session', auth())).body) as { csrf: string }).csrf;
  });
  after(async () => {
    await c?.close();
    await ro?.close();
  });

  it('listens on 127.0.0.1 by default and prints a URL with a long random token', () => {
    assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    assert.notEqual(c.token, ro.token);
  });

  for (const path of ['/', '/assets/app.js', '/api/state', '/api/session', '/no-such-route']) {
    it(`refuses ${path} without the token (401)`, async () => {
      const r = await call(c, 'GET', path);
      assert.equal(r.status, 401);
      assert.doesNotMatch(r.body, /shop|baseline/);
    });
  }

  it('serves the page with the token, sets an HttpOnly SameSite cookie and a strict CSP', async () => {
    const r = await call(c, 'GET', `/?token=${c.token}`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['set-cookie']), /segmentation_console_token_\d+=.+; HttpOnly; SameSite=Strict/);
    assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(r.headers['content-security-policy']), /unsafe-inline/);
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
  });

  it('refuses a request whose Host is another name (DNS rebinding)', async () => {
    const r = await call(c, 'GET', '/api/state', { ...auth(), host: 'attacker.example' });
    assert.equal(r.status, 403);
  });

  it('lets a same-origin write with the CSRF header reach the handler (offline: nothing to save to)', async () => {
    const r = await call(c, 'POST', '/api/profiles/apply', { ...auth(), origin: c.origin, 'x-console-csrf': csrf }, JSON.stringify({ profile: {}, dryRun: true }));
    assert.equal(r.status, 409);
    assert.equal((JSON.parse(r.body) as { outcome: string }).outcome, 'offline');
  });

  it('answers a malformed write body with 400, not a crash', async () => {
    const r = await call(c, 'POST', '/api/profiles/apply', { ...auth(), origin: c.origin, 'x-console-csrf': csrf }, '{not json');
    assert.equal(r.status, 400);
    assert.equal((await call(c, 'GET', '/api/session', auth())).status, 200, 'still serving');
  });

  it('refuses a cross-origin write even with the token', async () => {
    const r = await call(c, 'POST', '/api/profiles/apply', { ...auth(), origin: 'http://evil.example', 'x-console-csrf': csrf }, '{}');
    assert.equal(r.status, 403);
    assert.match(r.body, /cross-origin/);
  });

  it('refuses a write without the CSRF header', async () => {
    const r = await call(c, 'POST', '/api/profiles/apply', { ...auth(), origin: c.origin }, '{}');
    assert.equal(r.status, 403);
    assert.match(r.body, /x-console-csrf/);
  });

  it('refuses every write with --read-only, and says so in the session', async () => {
    const session = JSON.parse((await call(ro, 'GET', '/api/session', { 'x-console-token': ro.token })).body) as { readOnly: boolean; csrf: string };
    assert.equal(session.readOnly, true);
    const r = await call(ro, 'POST', '/api/profiles/apply', { 'x-console-token': ro.token, origin: ro.origin, 'x-console-csrf': session.csrf }, '{}');
    assert.equal(r.status, 403);
    assert.match(r.body, /read-only/);
  });

  it('sends hostile label values as JSON strings, never as markup in the page', async () => {
    const state = JSON.parse((await call(c, 'GET', '/api/state', auth())).body) as { namespaces: Array<{ name: string; labels: Record<string, string> }> };
    assert.equal(state.namespaces.find((n) => n.name === 'shop')?.labels.note, '<script>window.__pwned = 1</script>');
    const page = await call(c, 'GET', '/', auth());
    assert.doesNotMatch(page.body, /__pwned/);
  });
});
