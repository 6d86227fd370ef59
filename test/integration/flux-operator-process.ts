// The operator as the GitOps test runs it: `segmentation run` as a real process (the CLI entry point), one
// instance without leader election, health and metrics on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../../src/devcluster/cleanup.js';
import { freePorts } from '../../src/devcluster/controlplane.js';
import { eventually } from './hooks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface OperatorProcess {
  /** Sum of a counter's samples whose label set contains `labels`. */
  metric(name: string, labels?: string): Promise<number>;
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 20 s); resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

export async function startOperatorProcess(): Promise<OperatorProcess> {
  const [port] = await freePorts(1);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', `--health-port=${port}`, `--metrics-port=${port}`, '--log-level=info', '--workers=4'], {
    cwd: ROOT,
    env: { ...process.env, POD_NAME: 'flux-test-operator' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  const out: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited.finally(() => clearTimeout(timer));
    }
    unregister();
    return exited;
  };
  try {
    await eventually(
      async () => {
        if (!running()) throw new Error(`segmentation run exited: ${out.join('').slice(-2000)}`);
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status !== 200) throw new Error(`/readyz ${res.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    async metric(name, labels = '') {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(labels)) total += Number(line.split(' ').pop());
      return total;
    },
    output: () => out.join(''),
    stop,
  };
}
