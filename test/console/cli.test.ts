// `segmentation console` as a user runs it: one URL on stdout, on 127.0.0.1, whose token opens the API;
// bad files are one line and exit 1; a warning for any address beyond loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addressWarning } from '../../src/cli/commands/console.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));

function run(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'console', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('segmentation console (CLI)', function () {
  this.timeout(60_000);

  it('prints one URL on 127.0.0.1 whose token opens the API, and stops on SIGTERM', async () => {
    const started = performance.now();
    const child = run(['--port', '0', '--profiles', data('profile.yaml'), '--namespaces', data('hostile.yaml')]);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += String(d);
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    process.stderr.write(`      (URL printed after ${Math.round(performance.now() - started)} ms, through tsx)\n`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const token = new URL(url).searchParams.get('token')!;
    const session = await fetch(new URL('/api/session', url), { headers: { 'x-console-token': token } });
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as { mode: string }).mode, 'offline');
    assert.equal((await fetch(new URL('/api/session', url))).status, 401);
    assert.doesNotMatch(stderr, /warning/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
  });

  it('reports a bad input file in one line and exits 1', async () => {
    const child = run(['--port', '0', '--namespaces', data('profile.yaml')]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^error: .*profile\.yaml#0: kind: expected NetworkPolicy, Namespace or Pod, got "SegmentationProfile"$/);
  });

  it('warns for an address beyond loopback, and only then', () => {
    assert.equal(addressWarning('127.0.0.1'), undefined);
    assert.equal(addressWarning('::1'), undefined);
    assert.match(addressWarning('0.0.0.0') ?? '', /reachable from other machines/);
    assert.match(addressWarning('192.0.2.10') ?? '', /--address 192\.0\.2\.10/);
  });
});
