// The request guard as a table: token, Host, read-only, Origin and CSRF header.
import assert from 'node:assert/strict';
import { checkRequest, type GuardConfig, type GuardRequest } from '../../src/console/guard.js';

const cfg: GuardConfig = { token: 'T0KEN', csrf: 'CSRF', cookie: 'segmentation_console_token_8390', readOnly: false, hosts: new Set(['127.0.0.1:8390', 'localhost:8390']) };
const get = (url: string, headers: GuardRequest['headers'] = {}): GuardRequest => ({ method: 'GET', url, headers: { host: '127.0.0.1:8390', ...headers } });
const post = (headers: GuardRequest['headers']): GuardRequest => ({ method: 'POST', url: '/api/profiles/apply', headers: { host: '127.0.0.1:8390', 'x-console-token': 'T0KEN', ...headers } });
const good = { origin: 'http://127.0.0.1:8390', 'x-console-csrf': 'CSRF' };

describe('console guard', () => {
  const table: Array<[string, GuardRequest, GuardConfig, number | 'ok']> = [
    ['no token', get('/api/state'), cfg, 401],
    ['wrong token', get('/api/state?token=nope'), cfg, 401],
    ['a prefix of the token', get('/api/state?token=T0KE'), cfg, 401],
    ['token in the URL', get('/api/state?token=T0KEN'), cfg, 'ok'],
    ['token in the header', get('/api/state', { 'x-console-token': 'T0KEN' }), cfg, 'ok'],
    ['token in the cookie', get('/assets/app.js', { cookie: 'a=b; segmentation_console_token_8390=T0KEN' }), cfg, 'ok'],
    ["another console's cookie (other port)", get('/assets/app.js', { cookie: 'segmentation_console_token_8391=T0KEN' }), cfg, 401],
    ['another Host (DNS rebinding)', get('/api/state?token=T0KEN', { host: 'evil.example:8390' }), cfg, 403],
    ['no Host', { method: 'GET', url: '/?token=T0KEN', headers: {} }, cfg, 403],
    ['same-origin write with CSRF header', post(good), cfg, 'ok'],
    ['write from localhost origin when reached as localhost', post({ ...good, host: 'localhost:8390', origin: 'http://localhost:8390' }), cfg, 'ok'],
    ['cross-origin write', post({ ...good, origin: 'http://evil.example' }), cfg, 403],
    ['write without Origin', post({ 'x-console-csrf': 'CSRF' }), cfg, 403],
    ['write without CSRF header', post({ origin: good.origin }), cfg, 403],
    ['write with a wrong CSRF header', post({ ...good, 'x-console-csrf': 'nope' }), cfg, 403],
    ['write without token', { ...post(good), headers: { host: '127.0.0.1:8390', ...good } }, cfg, 401],
    ['write in read-only mode', post(good), { ...cfg, readOnly: true }, 403],
    ['read in read-only mode', get('/api/state?token=T0KEN'), { ...cfg, readOnly: true }, 'ok'],
    ['any Host when bound to all addresses', get('/api/state?token=T0KEN', { host: '10.1.2.3:8390' }), { ...cfg, hosts: 'any' }, 'ok'],
  ];
  for (const [name, req, config, want] of table) {
    it(`${want === 'ok' ? 'lets through' : `refuses (${want})`}: ${name}`, () => {
      const d = checkRequest(req, config);
      if (want === 'ok') assert.ok(d.ok, JSON.stringify(d));
      else assert.deepEqual(d.ok ? 'ok' : d.status, want);
    });
  }

  it('says why a read-only write is refused', () => {
    const d = checkRequest(post(good), { ...cfg, readOnly: true });
    assert.ok(!d.ok && /read-only/.test(d.reason));
  });
});
