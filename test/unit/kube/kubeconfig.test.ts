// The kubeconfig loader and the transport's credentials, against files in a temp dir and a real loopback
// HTTP server that records what it receives (TLS against a real kube-apiserver is covered by every
// integration test).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../../src/kube/client.js';
import { loadKubeConfig } from '../../../src/kube/config.js';
import { inClusterConfig, parseKubeconfig, readKubeconfigFiles } from '../../../src/kube/kubeconfig.js';
import { watchStream } from '../../../src/kube/watch.js';

const kubeconfig = (server: string, user: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'x', clusters: [{ name: 'c', cluster: { server } }], users: [{ name: 'u', user }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }] });

describe('kubeconfig loader', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the current context, and resolves relative file paths against the file', () => {
    const kc = parseKubeconfig(
      `current-context: b
clusters:
- {name: one, cluster: {server: 'https://a:6443', certificate-authority: ca.crt}}
- {name: two, cluster: {server: 'https://b:6443', certificate-authority-data: Q0E=, insecure-skip-tls-verify: true, tls-server-name: kube}}
users:
- {name: me, user: {client-certificate: certs/me.crt, client-key: /abs/me.key, token: t}}
contexts:
- {name: a, context: {cluster: one, user: me}}
- {name: b, context: {cluster: two, user: me}}
`,
      '/etc/kube',
    );
    assert.equal(kc.getCurrentContext(), 'b');
    assert.deepEqual(kc.getCurrentCluster(), { name: 'two', server: 'https://b:6443', skipTLSVerify: true, caData: 'Q0E=', tlsServerName: 'kube' });
    assert.deepEqual(kc.getCurrentUser(), { name: 'me', certFile: '/etc/kube/certs/me.crt', keyFile: '/abs/me.key', token: 't' });
  });

  it('merges KUBECONFIG files as kubectl does: first definition and first current-context win, missing files skipped', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, `clusters: [{name: c, cluster: {server: 'https://first'}}]\n`);
    writeFileSync(b, `current-context: x\nclusters: [{name: c, cluster: {server: 'https://second'}}]\ncontexts: [{name: x, context: {cluster: c}}]\n`);
    const kc = readKubeconfigFiles([a, join(dir, 'missing'), b]);
    assert.equal(kc.getCurrentCluster()?.server, 'https://first');
    const viaEnv = loadKubeConfig(undefined, '--kubeconfig', { KUBECONFIG: `${a}:${b}`, HOME: dir });
    assert.equal(viaEnv.getCurrentCluster()?.server, 'https://first');
  });

  it('a malformed field is one line naming it, with the kubeconfig and where it came from', () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, `clusters: [{name: c, cluster: {server: 42}}]\n`);
    assert.throws(() => loadKubeConfig(bad, 'KUBECONFIG_PATH'), (err: unknown) => err instanceof Error && err.message.startsWith(`cannot load kubeconfig ${bad}: clusters.0.cluster.server: `) && err.message.endsWith('(from KUBECONFIG_PATH)') && !err.message.includes('\n'));
  });

  it('refuses what would change where requests go or who makes them (proxy-url, impersonation), naming the field', () => {
    const cluster = `clusters: [{name: c, cluster: {server: 'https://a', proxy-url: 'http://proxy:3128'}}]\n`;
    assert.throws(() => parseKubeconfig(cluster, '/'), /^Error: clusters\.0\.cluster\.proxy-url: proxy-url \(a proxy between the operator and the API server\) is not supported$/);
    const user = `users: [{name: u, user: {token: t, as: admin}}]\n`;
    assert.throws(() => parseKubeconfig(user, '/'), /^Error: users\.0\.user\.as: impersonation \(as\) is not supported$/);
  });

  it('in a pod: the service host (IPv6 bracketed), its CA and token file', () => {
    const kc = inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, '/sa');
    assert.deepEqual(kc.getCurrentCluster(), { name: 'in-cluster', server: 'https://[fd00::1]:443', caFile: '/sa/ca.crt', skipTLSVerify: false });
    assert.deepEqual(kc.getCurrentUser(), { name: 'in-cluster', tokenFile: '/sa/token' });
    assert.throws(() => inClusterConfig({}), /KUBERNETES_SERVICE_HOST/);
  });
});

describe('transport credentials and watch streams (loopback HTTP server)', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const seen: { path: string; authorization: string | undefined }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'transport-'));
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (req.url?.startsWith('/watch')) {
        // One event split across two chunks, then a second one, then the end of the stream.
        res.write('{"type":"ADDED","object":{"metadata":{"na');
        setTimeout(() => res.end('me":"a"}}}\n{"type":"DELETED","object":{"metadata":{"name":"b"}}}\n'), 20);
      } else if (req.url?.startsWith('/forbidden')) {
        res.writeHead(403).end(JSON.stringify({ kind: 'Status', reason: 'Forbidden', message: 'no' }));
      } else res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (seen.length = 0));

  const clientFor = (user: Record<string, unknown>) => {
    const path = join(dir, `kc-${Math.random()}`);
    writeFileSync(path, kubeconfig(url, user));
    return new KubeClient(loadKubeConfig(path), { qps: 0 });
  };

  it('sends a bearer token, a token file, basic auth; reports an API error with its status and reason', async () => {
    await clientFor({ token: 'abc' }).request('GET', '/a');
    writeFileSync(join(dir, 'token'), 'from-file\n');
    await clientFor({ tokenFile: join(dir, 'token') }).request('GET', '/b');
    await clientFor({ username: 'u', password: 'p' }).request('GET', '/c');
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer abc', 'Bearer from-file', `Basic ${Buffer.from('u:p').toString('base64')}`],
    );
    await assert.rejects(clientFor({}).request('GET', '/forbidden'), (err: unknown) => (err as { statusCode?: number; reason?: string }).statusCode === 403 && (err as { reason?: string }).reason === 'Forbidden');
  });

  it('runs an exec credential plugin with its env once for two requests (its token is cached)', async () => {
    const plugin = join(dir, 'plugin.sh');
    const count = join(dir, 'runs');
    writeFileSync(plugin, `#!/bin/sh\necho x >> ${count}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-'"$MY_ENV"'"}}'\n`);
    chmodSync(plugin, 0o755);
    const client = clientFor({ exec: { command: plugin, apiVersion: 'client.authentication.k8s.io/v1', env: [{ name: 'MY_ENV', value: 'tok' }] } });
    await client.request('GET', '/a');
    await client.request('GET', '/b');
    assert.deepEqual(seen.map((s) => s.authorization), ['Bearer exec-tok', 'Bearer exec-tok']);
    assert.equal(readFileSync(count, 'utf8').trim().split('\n').length, 1, 'the plugin ran once');
  });

  it('a legacy auth-provider is refused with one line saying what to use instead', async () => {
    await assert.rejects(clientFor({ 'auth-provider': { name: 'azure' } }).request('GET', '/a'), /auth-provider azure, removed from Kubernetes in 1\.26: use its exec plugin/);
  });

  it('a watch stream yields each event once, whole, across chunk boundaries, with watch=true in the query', async () => {
    const events: string[] = [];
    await watchStream(clientFor({}), '/watch', { resourceVersion: '5', timeoutSeconds: 5 }, new AbortController().signal, (type, obj) => events.push(`${type} ${(obj as { metadata: { name: string } }).metadata.name}`));
    assert.deepEqual(events, ['ADDED a', 'DELETED b']);
    assert.match(seen[0]!.path, /^\/watch\?resourceVersion=5&timeoutSeconds=5&watch=true$/);
  });
});
