// KubeClient's bounds against a real loopback HTTP server that accepts requests and never answers (as a
// partition that holds connections open does): every request ends by its timeout, and the write fence
// refuses writes before they are sent and cancels those in flight.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';
import { RequestTimeoutError, WriteFencedError } from '../../../src/kube/errors.js';

describe('KubeClient deadlines and write fence (loopback server that never answers)', () => {
  let server: Server;
  const received: string[] = [];
  const hanging: ServerResponse[] = [];
  let client: KubeClient;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      received.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/ok')) res.end('{"ok":true}');
      else hanging.push(res); // hold it open, send nothing
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    client = new KubeClient(kc, { qps: 0, requestTimeoutMs: 200 });
  });

  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  beforeEach(() => {
    received.length = 0;
    client.setWriteFence(undefined);
  });

  it('ends a request that gets no answer with RequestTimeoutError at its timeout (default and per request)', async () => {
    const started = Date.now();
    await assert.rejects(client.request('GET', '/hang'), (err: unknown) => err instanceof RequestTimeoutError && err.timeoutMs === 200);
    const tookDefault = Date.now() - started;
    assert.ok(tookDefault >= 190 && tookDefault < 5_000, `took ${tookDefault} ms`);
    await assert.rejects(client.request('GET', '/hang', { timeoutMs: 50 }), (err: unknown) => err instanceof RequestTimeoutError && err.timeoutMs === 50);
    assert.deepEqual(await client.request('GET', '/ok'), { ok: true });
  });

  it('refuses a write under an aborted fence without sending it; unfenced writes and reads still go', async () => {
    client.setWriteFence(AbortSignal.abort());
    await assert.rejects(client.request('POST', '/ok', { body: {}, write: { resource: 'networkpolicies', verb: 'create' } }), WriteFencedError);
    assert.deepEqual(received, [], 'nothing reached the server');
    assert.equal(client.writes.lastAttemptAt(['networkpolicies']), 0);
    await client.request('PUT', '/ok', { body: {}, write: { resource: 'leases', verb: 'update' }, unfenced: true });
    await client.request('GET', '/ok');
    assert.deepEqual(received, ['PUT /ok', 'GET /ok']);
  });

  it('cancels a write in flight when the fence is aborted', async () => {
    const term = new AbortController();
    client.setWriteFence(term.signal);
    const started = Date.now();
    const write = client.request('PATCH', '/hang', { body: {}, write: { resource: 'networkpolicies', verb: 'apply' }, timeoutMs: 10_000 });
    setTimeout(() => term.abort(), 50);
    await assert.rejects(write, WriteFencedError);
    assert.ok(Date.now() - started < 5_000, 'ended by the fence, not the 10 s timeout');
    assert.ok(client.writes.lastAttemptAt(['networkpolicies']) >= started, 'the attempt was recorded when sent');
    assert.equal(client.writes.total(['networkpolicies']), 0, 'and not counted as a write');
  });

  it('a caller signal (the renew deadline) aborts a request', async () => {
    const round = new AbortController();
    const req = client.request('GET', '/hang', { timeoutMs: 10_000, signal: round.signal });
    setTimeout(() => round.abort(), 20);
    await assert.rejects(req, (err: unknown) => !(err instanceof RequestTimeoutError));
  });
});
